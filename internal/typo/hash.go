package typo

import (
	"strconv"
	"time"
)

// toHash lays a report out as the fields of its Redis hash, readable with
// redis-cli.
func toHash(r Report) map[string]any {
	h := map[string]any{
		"id": r.ID, "source": string(r.Source), "fragment": r.Fragment,
		"before": r.Before, "after": r.After, "comment": r.Comment,
		"url": r.URL, "title": r.Title,
		"reporter_name": r.Reporter.Name, "reporter_username": r.Reporter.Username,
		"reporter_id": r.Reporter.UserID, "reporter_chat": r.Reporter.ChatID,
		"reporter_lang": r.Reporter.Lang, "reporter_ip": r.Reporter.IP,
		"created": r.Created.UTC().Format(time.RFC3339Nano),
		"status":  string(r.Status), "status_by": r.StatusBy, "status_by_name": r.StatusByName,
		"editors_chat": r.EditorsChatID, "message_id": r.MessageID, "attempts": r.Attempts,
	}
	if !r.StatusAt.IsZero() {
		h["status_at"] = r.StatusAt.UTC().Format(time.RFC3339Nano)
	}
	return h
}

// fromHash reads a report back; a damaged number or time reads as zero.
func fromHash(h map[string]string) Report {
	return Report{
		ID: i64(h["id"]), Source: Source(h["source"]), Fragment: h["fragment"],
		Before: h["before"], After: h["after"], Comment: h["comment"],
		URL: h["url"], Title: h["title"],
		Reporter: Reporter{
			Name: h["reporter_name"], Username: h["reporter_username"],
			UserID: i64(h["reporter_id"]), ChatID: i64(h["reporter_chat"]),
			Lang: h["reporter_lang"], IP: h["reporter_ip"],
		},
		Created: tm(h["created"]), Status: Status(h["status"]),
		StatusBy: i64(h["status_by"]), StatusByName: h["status_by_name"], StatusAt: tm(h["status_at"]),
		EditorsChatID: i64(h["editors_chat"]), MessageID: int(i64(h["message_id"])),
		Attempts: int(i64(h["attempts"])),
	}
}

func i64(s string) int64 {
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}

func tm(s string) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, s)
	return t
}
