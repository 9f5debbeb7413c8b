package telegramtest

import (
	"context"
	"encoding/json"
	"sort"
	"strconv"
	"sync"
	"time"
)

// maxUpdatesLimit is Telegram's cap (and default) for getUpdates' limit.
const maxUpdatesLimit = 100

// update is one queued update, kept as the exact bytes that will be served.
type update struct {
	id  int64
	raw []byte
}

// updateQueue holds the unconfirmed updates, sorted by id.
type updateQueue struct {
	mu        sync.Mutex
	list      []update
	nextID    int64
	confirmed int64         // highest offset the bot has sent
	wake      chan struct{} // closed and replaced when an update is added
}

func (q *updateQueue) init() {
	q.nextID = 1
	q.wake = make(chan struct{})
}

// AddUpdate queues v (a struct or map, e.g. from TextMessage) marshalled to
// JSON. An update_id is assigned, increasing, unless v has one; it is returned.
func (s *Server) AddUpdate(v any) int64 {
	s.tb.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		s.tb.Fatalf("telegramtest: AddUpdate: marshal: %v", err)
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil {
		s.tb.Fatalf("telegramtest: AddUpdate: not a JSON object: %s", data)
	}
	if _, has := fields["update_id"]; !has {
		s.updates.mu.Lock()
		id := s.updates.nextID
		s.updates.nextID++ // reserved now so concurrent adds get distinct ids
		s.updates.mu.Unlock()
		fields["update_id"] = json.RawMessage(strconv.FormatInt(id, 10))
		data, _ = json.Marshal(fields)
	}
	return s.AddRawUpdate(string(data))
}

// AddRawUpdate queues raw byte-for-byte, e.g. a malformed update such as
// {"update_id": 7, "message": "oops"}. It must be valid JSON with a readable
// update_id, since it is served inside the JSON array of getUpdates.
func (s *Server) AddRawUpdate(raw string) int64 {
	s.tb.Helper()
	var head struct {
		UpdateID *int64 `json:"update_id"`
	}
	if err := json.Unmarshal([]byte(raw), &head); err != nil || head.UpdateID == nil {
		s.tb.Fatalf("telegramtest: AddRawUpdate needs a JSON object with a numeric update_id: %s", raw)
		return 0
	}
	s.chats.learn([]byte(raw))
	if err := s.updates.push(update{id: *head.UpdateID, raw: []byte(raw)}); err != "" {
		s.tb.Fatalf("telegramtest: %s", err)
	}
	return *head.UpdateID
}

func (q *updateQueue) push(u update) (problem string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if u.id < q.confirmed {
		return "update_id " + strconv.FormatInt(u.id, 10) + " is below the confirmed offset " +
			strconv.FormatInt(q.confirmed, 10) + ": Telegram would never deliver it"
	}
	q.list = append(q.list, u)
	sort.SliceStable(q.list, func(i, j int) bool { return q.list[i].id < q.list[j].id })
	q.nextID = max(q.nextID, u.id+1)
	close(q.wake)
	q.wake = make(chan struct{})
	return ""
}

// Confirmed is the highest offset the bot has sent: every update below it is
// confirmed and gone.
func (s *Server) Confirmed() int64 {
	s.updates.mu.Lock()
	defer s.updates.mu.Unlock()
	return s.updates.confirmed
}

// Pending counts the updates not yet confirmed.
func (s *Server) Pending() int {
	s.updates.mu.Lock()
	defer s.updates.mu.Unlock()
	return len(s.updates.list)
}

// confirm drops the updates below offset for good, as Telegram does.
func (q *updateQueue) confirm(offset int64) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if offset <= q.confirmed {
		return
	}
	q.confirmed = offset
	i := sort.Search(len(q.list), func(i int) bool { return q.list[i].id >= offset })
	q.list = append([]update(nil), q.list[i:]...)
	q.nextID = max(q.nextID, offset)
}

// batch returns up to limit updates from offset on, and the channel that is
// closed when another one is added.
func (q *updateQueue) batch(offset int64, limit int) ([]update, <-chan struct{}) {
	q.mu.Lock()
	defer q.mu.Unlock()
	var out []update
	for _, u := range q.list {
		if len(out) == limit {
			break
		}
		if u.id >= offset {
			out = append(out, u)
		}
	}
	return out, q.wake
}

// getUpdates confirms by offset, then long-polls up to min(timeout, the cap).
// A negative offset is treated as 0 (Telegram's "last N" form is not modelled).
func (s *Server) getUpdates(ctx context.Context, c Call) (json.RawMessage, *APIError) {
	offset, _ := intParam(c.Params, "offset")
	s.updates.confirm(offset)
	limit, ok := intParam(c.Params, "limit")
	if !ok || limit <= 0 || limit > maxUpdatesLimit {
		limit = maxUpdatesLimit
	}
	timeout, _ := intParam(c.Params, "timeout")
	wait := min(time.Duration(timeout)*time.Second, s.cfg.pollCap)
	timer := time.NewTimer(max(wait, 0))
	defer timer.Stop()
	for {
		list, wake := s.updates.batch(offset, int(limit))
		if len(list) > 0 || wait <= 0 {
			return encodeUpdates(list), nil
		}
		select {
		case <-wake:
			continue
		case <-timer.C:
		case <-ctx.Done():
		case <-s.done:
		}
		wait = 0 // one last look, then answer
	}
}

// encodeUpdates builds the JSON array by hand so raw updates keep their bytes.
func encodeUpdates(list []update) json.RawMessage {
	out := []byte{'['}
	for i, u := range list {
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, u.raw...)
	}
	return append(out, ']')
}
