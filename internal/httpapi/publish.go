package httpapi

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gubkin-news/newsbot/internal/news"
)

// maxPublishBody bounds a CMS request (a full article with its text).
const maxPublishBody = 1 << 20

// Ingester takes one article through the same dedup path as the feeds.
type Ingester interface {
	// IngestNow stores the article and pushes it at once if it is new.
	IngestNow(ctx context.Context, a news.Article) (isNew bool, err error)
	// FetchArticle fetches and parses the page at url into an article.
	FetchArticle(ctx context.Context, url string) (news.Article, error)
}

// PublishHandler is POST /api/publish: the CMS pushes an article the moment
// it is published, with Authorization: Bearer <PUBLISH_TOKEN>, either
// {"url": "…"} (fetched and parsed) or the article itself as JSON.
func PublishHandler(token string, in Ingester) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			writeJSON(w, http.StatusMethodNotAllowed, errBody("only POST", ""))
			return
		}
		if !authorized(r, token) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="newsbot"`)
			writeJSON(w, http.StatusUnauthorized, errBody("wrong or missing bearer token", ""))
			return
		}
		a, status, err := readArticle(w, r, in)
		if err != nil {
			writeJSON(w, status, errBody(err.Error(), fieldOf(err)))
			return
		}
		isNew, err := in.IngestNow(r.Context(), a)
		if err != nil {
			writeJSON(w, http.StatusServiceUnavailable, errBody("could not store the article; try again", ""))
			return
		}
		writeJSON(w, http.StatusAccepted, map[string]any{"id": a.ID, "new": isNew})
	})
}

func authorized(r *http.Request, token string) bool {
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return token != "" && ok && subtle.ConstantTimeCompare([]byte(got), []byte(token)) == 1
}

// fieldError names the field a bad request got wrong.
type fieldError struct{ field, msg string }

func (e *fieldError) Error() string { return e.msg }

func fieldOf(err error) string {
	var fe *fieldError
	if errors.As(err, &fe) {
		return fe.field
	}
	return ""
}

func errBody(msg, field string) map[string]string {
	b := map[string]string{"error": msg}
	if field != "" {
		b["field"] = field
	}
	return b
}

// publishBody is the request: a URL, or an article.
type publishBody struct {
	URL         string    `json:"url"`
	ID          string    `json:"id"`
	Title       string    `json:"title"`
	Lead        string    `json:"lead"`
	Text        string    `json:"text"`
	Categories  []string  `json:"categories"`
	Published   time.Time `json:"published"`
	Image       string    `json:"image"`
	ImageCredit string    `json:"image_credit"`
	Breaking    bool      `json:"breaking"`
}

func readArticle(w http.ResponseWriter, r *http.Request, in Ingester) (news.Article, int, error) {
	var b publishBody
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxPublishBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return news.Article{}, http.StatusRequestEntityTooLarge, fmt.Errorf("body over %d bytes", maxPublishBody)
		}
		return news.Article{}, http.StatusBadRequest, fmt.Errorf("body is not the expected JSON: %v", err)
	}
	if err := checkURL(b.URL); err != nil {
		return news.Article{}, http.StatusBadRequest, err
	}
	if b.Title == "" {
		a, err := in.FetchArticle(r.Context(), b.URL)
		if err != nil {
			return news.Article{}, http.StatusBadRequest, &fieldError{"url", "could not read the article at url: " + err.Error()}
		}
		return a, 0, nil
	}
	return b.article()
}

func checkURL(raw string) error {
	u, err := url.Parse(raw)
	if raw == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return &fieldError{"url", "url must be an absolute http(s) link"}
	}
	return nil
}

func (b publishBody) article() (news.Article, int, error) {
	for field, v := range map[string]string{"title": b.Title, "lead": b.Lead, "text": b.Text, "image_credit": b.ImageCredit} {
		if !utf8.ValidString(v) || utf8.RuneCountInString(v) > 100_000 {
			return news.Article{}, http.StatusBadRequest, &fieldError{field, field + " is not valid text"}
		}
	}
	if utf8.RuneCountInString(b.Title) > 500 {
		return news.Article{}, http.StatusBadRequest, &fieldError{"title", "title is over 500 characters"}
	}
	if b.Image != "" && checkURL(b.Image) != nil {
		return news.Article{}, http.StatusBadRequest, &fieldError{"image", "image must be an absolute http(s) link"}
	}
	if b.Published.IsZero() {
		b.Published = time.Now()
	}
	return news.Article{ID: b.ID, URL: b.URL, Title: b.Title, Lead: b.Lead, FullText: b.Text, Categories: b.Categories,
		Published: b.Published, Image: b.Image, ImageCredit: b.ImageCredit, Breaking: b.Breaking, Source: "publish"}, 0, nil
}
