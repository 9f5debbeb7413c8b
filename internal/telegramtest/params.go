package telegramtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
)

// maxBodyBytes is well above Telegram's 50 MB upload limit for what tests send.
const maxBodyBytes = 64 << 20

// splitPath splits "/bot<token>/<method>".
func splitPath(path string) (token, method string, ok bool) {
	rest, found := strings.CutPrefix(path, "/bot")
	if !found {
		return "", "", false
	}
	token, method, found = strings.Cut(rest, "/")
	if !found || method == "" || strings.Contains(method, "/") {
		return "", "", false
	}
	return token, method, true
}

// readParams collects the query string and a url-encoded, multipart or JSON
// body into one string map, the way the bot's params look to Telegram.
func readParams(w http.ResponseWriter, r *http.Request) (map[string]string, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
	out := map[string]string{}
	for k, v := range r.URL.Query() {
		out[k] = v[0]
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/json":
		return out, readJSON(r.Body, out)
	case "multipart/form-data":
		return out, readMultipart(r, out)
	default:
		if err := r.ParseForm(); err != nil {
			return out, err
		}
		for k, v := range r.PostForm {
			out[k] = v[0]
		}
		return out, nil
	}
}

// readJSON records strings unquoted and every other value as its JSON text.
func readJSON(body io.Reader, out map[string]string) error {
	data, err := io.ReadAll(body)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		return errors.New("can't parse JSON object")
	}
	for k, raw := range m {
		var s string
		if len(raw) > 0 && raw[0] == '"' && json.Unmarshal(raw, &s) == nil {
			out[k] = s
			continue
		}
		out[k] = string(raw)
	}
	return nil
}

// readMultipart records fields as sent and uploaded files by their file name.
func readMultipart(r *http.Request, out map[string]string) error {
	if err := r.ParseMultipartForm(32 << 20); err != nil {
		return fmt.Errorf("can't parse multipart form: %v", err)
	}
	defer func() { _ = r.MultipartForm.RemoveAll() }()
	for k, v := range r.MultipartForm.Value {
		out[k] = v[0]
	}
	for k, files := range r.MultipartForm.File {
		out[k] = files[0].Filename
	}
	return nil
}

// chatIDOf is the call's numeric chat_id, if it has one.
func chatIDOf(c Call) (int64, bool) {
	return intParam(c.Params, "chat_id")
}

func intParam(p map[string]string, key string) (int64, bool) {
	v, ok := p[key]
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	return n, err == nil
}
