package typo

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"
)

// MaxBodyBytes is the largest request body of POST /api/typo: the fields'
// limits with room for JSON escapes, and no more.
const MaxBodyBytes = 8 << 10

// siteInput is the request as the browser sent it, not yet trusted.
type siteInput struct {
	URL     string `json:"url"`
	Text    string `json:"text"`
	Before  string `json:"before"`
	After   string `json:"after"`
	Comment string `json:"comment"`
	Name    string `json:"name"`
	Title   string `json:"title"`
}

// readInput reads at most MaxBodyBytes and decodes JSON or a form.
func readInput(w http.ResponseWriter, r *http.Request) (siteInput, *apiError) {
	tooLarge := &apiError{status: http.StatusRequestEntityTooLarge, id: "typo_err_too_large",
		data: map[string]any{"Max": MaxBodyBytes}}
	if r.ContentLength > MaxBodyBytes {
		return siteInput{}, tooLarge
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return siteInput{}, tooLarge
	case err != nil:
		return siteInput{}, &apiError{status: http.StatusBadRequest, id: "typo_err_body"}
	}
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		mt = ""
	}
	switch mt {
	case "application/json":
		return decodeJSON(body)
	case "application/x-www-form-urlencoded":
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return siteInput{}, &apiError{status: http.StatusBadRequest, id: "typo_err_body"}
		}
		return fromForm(form), nil
	case "multipart/form-data":
		return decodeMultipart(body, params["boundary"])
	}
	return siteInput{}, &apiError{status: http.StatusUnsupportedMediaType, id: "typo_err_type"}
}

func decodeJSON(body []byte) (siteInput, *apiError) {
	var in siteInput
	err := json.Unmarshal(body, &in)
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &te) && te.Field != "":
		return in, &apiError{status: http.StatusBadRequest, id: "typo_err_field_type", field: te.Field,
			data: map[string]any{"Field": te.Field}}
	case err != nil:
		return in, &apiError{status: http.StatusBadRequest, id: "typo_err_body"}
	}
	return in, nil
}

func decodeMultipart(body []byte, boundary string) (siteInput, *apiError) {
	bad := &apiError{status: http.StatusBadRequest, id: "typo_err_body"}
	if boundary == "" {
		return siteInput{}, bad
	}
	form, err := multipart.NewReader(bytes.NewReader(body), boundary).ReadForm(MaxBodyBytes)
	if err != nil {
		return siteInput{}, bad
	}
	defer form.RemoveAll()
	return fromForm(form.Value), nil
}

func fromForm(v map[string][]string) siteInput {
	get := func(k string) string {
		if len(v[k]) == 0 {
			return ""
		}
		return v[k][0]
	}
	return siteInput{URL: get("url"), Text: get("text"), Before: get("before"), After: get("after"),
		Comment: get("comment"), Name: get("name"), Title: get("title")}
}

// report checks the fields: refused when they cannot be repaired, clipped
// (context, title) when they can.
func (in siteInput) report() (Report, *apiError) {
	u := strings.TrimSpace(in.URL)
	if u == "" {
		return Report{}, &apiError{status: http.StatusBadRequest, id: "typo_err_url_required", field: "url"}
	}
	if p, err := url.Parse(u); err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" || len(u) > MaxURLBytes {
		return Report{}, &apiError{status: http.StatusBadRequest, id: "typo_err_url", field: "url"}
	}
	text, err := CheckFragment(in.Text)
	if err != nil {
		return Report{}, &apiError{status: http.StatusBadRequest, id: "typo_err_text", field: "text",
			data: map[string]any{"Max": MaxFragmentRunes}}
	}
	comment, name := strings.TrimSpace(clean(in.Comment)), strings.TrimSpace(clean(in.Name))
	if utf8.RuneCountInString(comment) > MaxCommentRunes {
		return Report{}, &apiError{status: http.StatusBadRequest, id: "typo_err_comment", field: "comment",
			data: map[string]any{"Max": MaxCommentRunes}}
	}
	if utf8.RuneCountInString(name) > MaxNameRunes {
		return Report{}, &apiError{status: http.StatusBadRequest, id: "typo_err_name", field: "name",
			data: map[string]any{"Max": MaxNameRunes}}
	}
	return Report{Source: SourceSite, URL: u, Title: in.Title, Fragment: text, Before: in.Before,
		After: in.After, Comment: comment, Reporter: Reporter{Name: name}}, nil
}
