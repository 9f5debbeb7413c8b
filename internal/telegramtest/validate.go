package telegramtest

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Telegram's size limits, in characters after entity parsing.
const (
	maxTextChars     = 4096
	maxCaptionChars  = 1024
	maxCallbackBytes = 64
)

// chatMethods need a chat_id (edits may name an inline message instead).
var chatMethods = map[string]bool{
	"sendmessage": true, "sendphoto": true, "editmessagetext": true, "editmessagecaption": true,
	"editmessagereplymarkup": true, "getchat": true, "getchatmember": true,
	"getchatadministrators": true, "deletemessage": true, "sendchataction": true,
	"pinchatmessage": true, "unpinchatmessage": true, "leavechat": true,
}

// allowedTags are the tags of Telegram's HTML parse mode.
var allowedTags = map[string]bool{
	"b": true, "strong": true, "i": true, "em": true, "u": true, "ins": true, "s": true,
	"strike": true, "del": true, "a": true, "code": true, "pre": true, "span": true,
	"tg-spoiler": true, "tg-emoji": true, "blockquote": true,
}

// validate refuses what Telegram would refuse with 400, so the bot's tests
// catch oversized texts, broken markup and bad buttons.
func validate(c Call) *APIError {
	m := strings.ToLower(c.Method)
	for _, check := range []func(string, map[string]string) *APIError{checkTarget, checkContent, checkMarkup} {
		if e := check(m, c.Params); e != nil {
			return e
		}
	}
	return nil
}

func checkTarget(method string, p map[string]string) *APIError {
	if !chatMethods[method] {
		return nil
	}
	isEdit := strings.HasPrefix(method, "edit")
	if _, inline := p["inline_message_id"]; isEdit && inline {
		return nil
	}
	if p["chat_id"] == "" {
		return errPtr(badRequest("chat_id is empty"))
	}
	if _, ok := intParam(p, "chat_id"); !ok {
		return errPtr(ChatNotFound()) // @channelname is not modelled
	}
	if _, ok := intParam(p, "message_id"); !ok && (isEdit || method == "deletemessage") {
		return errPtr(badRequest("message identifier is not specified"))
	}
	return nil
}

func checkContent(method string, p map[string]string) *APIError {
	switch method {
	case "sendmessage", "editmessagetext":
		if strings.TrimSpace(p["text"]) == "" {
			return errPtr(badRequest("message text is empty"))
		}
		return checkText(p["text"], p["parse_mode"], maxTextChars, "message is too long")
	case "sendphoto":
		if p["photo"] == "" {
			return errPtr(badRequest("there is no photo in the request"))
		}
		return checkText(p["caption"], p["parse_mode"], maxCaptionChars, "message caption is too long")
	case "editmessagecaption":
		return checkText(p["caption"], p["parse_mode"], maxCaptionChars, "message caption is too long")
	}
	return nil
}

func checkText(text, parseMode string, limit int, tooLong string) *APIError {
	switch strings.ToLower(parseMode) {
	case "", "markdown", "markdownv2":
	case "html":
		if e := checkHTML(text); e != nil {
			return e
		}
	default:
		return errPtr(badRequest("unsupported parse_mode"))
	}
	if utf8.RuneCountInString(visibleText(text, parseMode)) > limit {
		return errPtr(badRequest(tooLong))
	}
	return nil
}

// checkHTML finds tags Telegram does not support (<p>, <br>, <div>…).
func checkHTML(text string) *APIError {
	for i := 0; i < len(text); i++ {
		if text[i] != '<' {
			continue
		}
		end := strings.IndexByte(text[i:], '>')
		if end < 0 {
			return errPtr(badRequest(fmt.Sprintf("can't parse entities: Unclosed start tag at byte offset %d", i)))
		}
		tag := text[i+1 : i+end]
		closing := strings.HasPrefix(tag, "/")
		name, _, _ := strings.Cut(strings.TrimPrefix(tag, "/"), " ")
		if name = strings.ToLower(strings.TrimSpace(name)); !allowedTags[name] {
			kind := "start"
			if closing {
				kind = "end"
			}
			return errPtr(badRequest(fmt.Sprintf("can't parse entities: Unsupported %s tag %q at byte offset %d", kind, name, i)))
		}
		i += end
	}
	return nil
}

// checkMarkup checks reply_markup's JSON and callback_data sizes (1–64 bytes).
func checkMarkup(_ string, p map[string]string) *APIError {
	raw, ok := p["reply_markup"]
	if !ok {
		return nil
	}
	var markup struct {
		InlineKeyboard [][]struct {
			CallbackData *string `json:"callback_data"`
		} `json:"inline_keyboard"`
	}
	if json.Unmarshal([]byte(raw), &markup) != nil {
		return errPtr(badRequest("can't parse reply keyboard markup JSON object"))
	}
	for _, row := range markup.InlineKeyboard {
		for _, b := range row {
			if b.CallbackData != nil && (len(*b.CallbackData) == 0 || len(*b.CallbackData) > maxCallbackBytes) {
				return errPtr(badRequest("BUTTON_DATA_INVALID"))
			}
		}
	}
	return nil
}

func errPtr(e APIError) *APIError { return &e }
