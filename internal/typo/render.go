package typo

import (
	"fmt"
	"html"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gubkin-news/newsbot/internal/i18n"
	"github.com/gubkin-news/newsbot/internal/telegram"
)

// Renderer builds every message about reports. Everything a reader or an
// editor typed is escaped here (html.EscapeString) and nowhere else.
type Renderer struct {
	Texts *i18n.Bundle
	Lang  string         // the editors' language (DEFAULT_LANG)
	Loc   *time.Location // the time zone of shown times (TIMEZONE)
}

var esc = html.EscapeString

// EditorsText is the editors' message about r: article, the fragment
// marked in its context, comment, reporter, source, time and, once
// decided, who decided and when.
func (v Renderer) EditorsText(r Report) string {
	src := v.t("typo_source_" + string(r.Source))
	lines := []string{
		v.t("typo_editors_title", "ID", r.ID, "Source", src),
		v.t("typo_editors_article", "Link", v.link(r.URL, r.Title, 200)),
		v.t("typo_editors_fragment", "Quote", quote(r)),
	}
	if r.Comment != "" {
		lines = append(lines, v.t("typo_editors_comment", "Comment", esc(r.Comment)))
	}
	lines = append(lines,
		v.t("typo_editors_reporter", "Reporter", v.reporter(r)),
		v.t("typo_editors_time", "Time", r.Created.In(v.loc()).Format("02.01.2006 15:04")))
	text := strings.Join(lines, "\n")
	if r.Status == StatusFixed || r.Status == StatusRejected {
		text += "\n\n" + v.t("typo_status_"+string(r.Status), "Editor", esc(r.StatusByName), "Time", v.when(r))
	}
	return text
}

// EditorsMessage is the editors' message as sent (MessageID 0) or edited:
// buttons while the report is open, none after.
func (v Renderer) EditorsMessage(r Report, chatID int64, threadID int) telegram.Message {
	m := telegram.Message{ChatID: chatID, ThreadID: threadID, Text: v.EditorsText(r), NoPreview: true, EditID: r.MessageID}
	if r.Status == StatusOpen {
		m.Keyboard = telegram.Keyboard{{
			{Text: v.t("typo_btn_fix"), Data: CallbackData(StatusFixed, r.ID)},
			{Text: v.t("typo_btn_reject"), Data: CallbackData(StatusRejected, r.ID)},
		}}
	}
	return m
}

// ThanksMessage is the reader's thanks after a fix, in the reader's
// language; ok is false when there is nobody to thank (a site reader, a
// rejected report).
func (v Renderer) ThanksMessage(r Report) (telegram.Message, bool) {
	if r.Status != StatusFixed || r.Source != SourceTelegram || r.Reporter.ChatID == 0 {
		return telegram.Message{}, false
	}
	lang := r.Reporter.Lang
	if lang == "" {
		lang = v.Lang
	}
	text := v.Texts.T(lang, "typo_thanks_fixed", map[string]any{"Fragment": esc(firstRunes(r.Fragment, 100))})
	return telegram.Message{ChatID: r.Reporter.ChatID, Text: text, NoPreview: true}, true
}

// ReportsText is the answer to /reports in lang: how many are open, then
// the listed ones, each linked to its editors' message when it can be.
func (v Renderer) ReportsText(lang string, reports []Report, total int) string {
	if total == 0 {
		return v.Texts.T(lang, "typo_reports_empty", nil)
	}
	var b strings.Builder
	b.WriteString(v.Texts.N(lang, "typo_reports_header", total, nil))
	for _, r := range reports {
		num := "#" + strconv.FormatInt(r.ID, 10)
		if link := messageLink(r.EditorsChatID, r.MessageID); link != "" {
			num = `<a href="` + esc(link) + `">` + num + `</a>`
		}
		line := v.Texts.T(lang, "typo_reports_item", map[string]any{
			"Number": num, "Fragment": esc(firstRunes(r.Fragment, 80)),
			"Link": v.link(r.URL, r.Title, 60), "Time": r.Created.In(v.loc()).Format("02.01 15:04"),
		})
		if telegram.UTF16Len(telegram.PlainText(b.String()+line)) > 3900 {
			break // Telegram's 4096; the header says how many there are
		}
		b.WriteString("\n" + line)
	}
	return b.String()
}

// CallbackAnswer is the short answer to an editor's button press.
func (v Renderer) CallbackAnswer(lang string, r Report, changed bool) string {
	if !changed {
		return v.Texts.T(lang, "typo_already_marked", map[string]any{"Status": v.Texts.T(lang, "typo_state_"+string(r.Status), nil)})
	}
	return v.Texts.T(lang, "typo_marked_"+string(r.Status), nil)
}

// t is a text in the editors' language with pairs of name, value.
func (v Renderer) t(id string, kv ...any) string {
	data := map[string]any{}
	for i := 0; i+1 < len(kv); i += 2 {
		data[kv[i].(string)] = kv[i+1]
	}
	return v.Texts.T(v.Lang, id, data)
}

func (v Renderer) loc() *time.Location {
	if v.Loc == nil {
		return time.UTC
	}
	return v.Loc
}

// when shows the time of the status, with the date when it is not the
// day of the report.
func (v Renderer) when(r Report) string {
	at, made := r.StatusAt.In(v.loc()), r.Created.In(v.loc())
	if at.Format("2006-01-02") == made.Format("2006-01-02") {
		return at.Format("15:04")
	}
	return at.Format("02.01.2006 15:04")
}

// link shows the article as a link when its URL is http(s), else as text.
func (v Renderer) link(raw, title string, max int) string {
	if raw == "" {
		return v.t("typo_editors_no_article")
	}
	label := title
	if label == "" {
		label = raw
	}
	label = esc(firstRunes(label, max))
	if u, err := url.Parse(raw); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return label
	}
	return `<a href="` + esc(raw) + `">` + label + `</a>`
}

func (v Renderer) reporter(r Report) string {
	rp := r.Reporter
	if r.Source == SourceSite {
		if rp.Name == "" {
			return v.t("typo_editors_anonymous")
		}
		return esc(rp.Name)
	}
	parts := []string{}
	if rp.Name != "" {
		parts = append(parts, fmt.Sprintf(`<a href="tg://user?id=%d">%s</a>`, rp.UserID, esc(rp.Name)))
	}
	if rp.Username != "" {
		parts = append(parts, "@"+esc(rp.Username))
	}
	parts = append(parts, fmt.Sprintf("id %d", rp.UserID))
	return strings.Join(parts, " · ")
}

// quote is «…before<b><u>fragment</u></b>after…», escaped.
func quote(r Report) string {
	q := "<b><u>" + esc(r.Fragment) + "</u></b>"
	if r.Before != "" {
		q = "…" + esc(r.Before) + q
	}
	if r.After != "" {
		q += esc(r.After) + "…"
	}
	return q
}

// messageLink points at a message of a supergroup (ids -100…); other chats
// have no public link.
func messageLink(chatID int64, msgID int) string {
	s := strconv.FormatInt(chatID, 10)
	if msgID == 0 || !strings.HasPrefix(s, "-100") {
		return ""
	}
	return fmt.Sprintf("https://t.me/c/%s/%d", strings.TrimPrefix(s, "-100"), msgID)
}

var callbackRE = regexp.MustCompile(`^typo:(fix|rej):([1-9][0-9]{0,18})$`)

// CallbackData is the data of an editors' button: typo:fix:{id} or typo:rej:{id}.
func CallbackData(st Status, id int64) string {
	action := "rej"
	if st == StatusFixed {
		action = "fix"
	}
	return "typo:" + action + ":" + strconv.FormatInt(id, 10)
}

// ParseCallback reads what CallbackData wrote and refuses anything else
// (callback data comes from the client and may be forged).
func ParseCallback(data string) (Status, int64, error) {
	m := callbackRE.FindStringSubmatch(data)
	if m == nil {
		return "", 0, fmt.Errorf("typo: bad callback data %q", data)
	}
	id, err := strconv.ParseInt(m[2], 10, 64)
	if err != nil {
		return "", 0, fmt.Errorf("typo: bad report id in %q: %w", data, err)
	}
	if m[1] == "fix" {
		return StatusFixed, id, nil
	}
	return StatusRejected, id, nil
}
