package delivery

import (
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// Stream entry fields are one letter each: 100,000 queued entries should not
// carry 100,000 copies of long field names. Empty fields are left out.
const (
	fKind      = "k"
	fItem      = "i"
	fChat      = "c"
	fReason    = "r"
	fBreaking  = "b"
	fAttempts  = "a"
	fNotBefore = "n"
	fError     = "e" // dead letters: the last error
	fDiedAt    = "t" // dead letters: when
)

// values is the entry of d for XADD.
func (d Delivery) values() []any {
	v := []any{fKind, string(d.Kind), fItem, d.Item, fChat, id(d.ChatID)}
	if d.Reason != "" {
		v = append(v, fReason, d.Reason)
	}
	if d.Breaking {
		v = append(v, fBreaking, "1")
	}
	if d.Attempts > 0 {
		v = append(v, fAttempts, strconv.Itoa(d.Attempts))
	}
	if !d.NotBefore.IsZero() {
		v = append(v, fNotBefore, strconv.FormatInt(d.NotBefore.UnixMilli(), 10))
	}
	return v
}

// decode reads a stream entry; an entry without a chat (deleted, or not
// ours) is an error.
func decode(m redis.XMessage) (Delivery, error) {
	str := func(k string) string { s, _ := m.Values[k].(string); return s }
	chat, err := strconv.ParseInt(str(fChat), 10, 64)
	if err != nil || str(fKind) == "" {
		return Delivery{ID: m.ID}, fmt.Errorf("delivery: entry %s has no kind or chat: %v", m.ID, m.Values)
	}
	d := Delivery{ID: m.ID, Kind: Kind(str(fKind)), Item: str(fItem), ChatID: chat,
		Reason: str(fReason), Breaking: str(fBreaking) == "1"}
	d.Attempts, _ = strconv.Atoi(str(fAttempts))
	if ms, err := strconv.ParseInt(str(fNotBefore), 10, 64); err == nil {
		d.NotBefore = time.UnixMilli(ms)
	}
	return d, nil
}
