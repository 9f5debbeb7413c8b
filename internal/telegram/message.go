package telegram

// Button is one inline-keyboard button: callback Data (1–64 bytes) or a URL.
type Button struct {
	Text string `json:"text"`
	Data string `json:"callback_data,omitempty"`
	URL  string `json:"url,omitempty"`
}

// Keyboard is rows of inline buttons.
type Keyboard [][]Button

// Message is one thing to send (or edit) in a chat. Text is HTML (escape user
// data with html.EscapeString); when PhotoURL is set it is sent as a photo and
// Text becomes its caption.
type Message struct {
	ChatID        int64    `json:"chat_id"`
	ThreadID      int      `json:"thread_id,omitempty"` // forum topic
	Text          string   `json:"text"`
	PhotoURL      string   `json:"photo_url,omitempty"`
	Keyboard      Keyboard `json:"keyboard,omitempty"`
	NoPreview     bool     `json:"no_preview,omitempty"`
	ReplyTo       int      `json:"reply_to,omitempty"`
	EditID        int      `json:"edit_id,omitempty"` // edit this message in place instead of sending
	PaidBroadcast bool     `json:"paid_broadcast,omitempty"`

	// ArticleID is not sent: it tells the sender's caller which article the
	// message carries (replies to it are linked to the article).
	ArticleID string `json:"-"`

	plain bool // set by the sender's fallback: no parse_mode
}

// Result is what Telegram answered to a successful send.
type Result struct {
	MessageID int
	ChatID    int64 // differs from Message.ChatID after a group migrated
}
