package typo

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

type site struct {
	*fixture
	srv *httptest.Server
}

// newSite serves the endpoint on 127.0.0.1 (httptest binds loopback).
func newSite(t *testing.T, o SiteOptions) *site {
	t.Helper()
	f := newFixture(t, editorsChat)
	srv := httptest.NewServer(f.svc.SiteHandler(o))
	t.Cleanup(srv.Close)
	return &site{fixture: f, srv: srv}
}

type response struct {
	code   int
	header http.Header
	body   map[string]string
}

func (s *site) do(t *testing.T, method, ctype string, body io.Reader, header map[string]string) response {
	t.Helper()
	req, err := http.NewRequest(method, s.srv.URL+"/api/typo", body)
	if err != nil {
		t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := s.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	out := response{code: res.StatusCode, header: res.Header, body: map[string]string{}}
	raw, _ := io.ReadAll(res.Body)
	if len(raw) > 0 && strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(raw, &out.body); err != nil {
			t.Fatalf("answer %q is not a JSON object: %v", raw, err)
		}
	}
	return out
}

func (s *site) postJSON(t *testing.T, v any, header map[string]string) response {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return s.do(t, http.MethodPost, "application/json", bytes.NewReader(b), header)
}

func validSite(text string) map[string]string {
	return map[string]string{"url": "https://gubkin.example/news/42", "text": text,
		"before": "В городе открыли ", "after": " после ремонта.", "title": "Школа открылась"}
}

func (r response) want(t *testing.T, code int, field string) {
	t.Helper()
	if r.code != code || r.body["field"] != field {
		t.Fatalf("answer %d %v, want %d with field %q", r.code, r.body, code, field)
	}
}

func TestSitePostJSONIsStoredAndSent(t *testing.T) {
	s := newSite(t, SiteOptions{})
	in := validSite("шкалу")
	in["comment"], in["name"] = "школу", "Анна"
	res := s.postJSON(t, in, nil)
	res.want(t, http.StatusAccepted, "")
	if res.body["status"] != "accepted" || res.body["id"] != "1" {
		t.Fatalf("answer %v", res.body)
	}
	r := get(t, s.fixture, 1)
	if r.Source != SourceSite || r.URL != in["url"] || r.Title != in["title"] || r.Reporter.Name != "Анна" ||
		r.Reporter.IP != "127.0.0.1" || r.Comment != "школу" || r.Before != in["before"] {
		t.Errorf("stored %+v", r)
	}
	sent := s.send.messages()
	if len(sent) != 1 || len(sent[0].Keyboard) != 1 || sent[0].Keyboard[0][0].Data != "typo:fix:1" {
		t.Fatalf("sent %+v", sent)
	}
	mustContain(t, "editors' text", sent[0].Text, "сайт", "Анна", "<b><u>шкалу</u></b>", "💬 школу",
		`<a href="https://gubkin.example/news/42">Школа открылась</a>`)
	mustNotContain(t, "editors' text", sent[0].Text, "127.0.0.1")
}

func TestSitePostForms(t *testing.T) {
	s := newSite(t, SiteOptions{})
	form := url.Values{"url": {"https://gubkin.example/a"}, "text": {"форма"}, "comment": {"урл"}}
	s.do(t, http.MethodPost, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()), nil).
		want(t, http.StatusAccepted, "")
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, v := range map[string]string{"url": "https://gubkin.example/b", "text": "мультипарт", "name": "Оля"} {
		_ = mw.WriteField(k, v)
	}
	_ = mw.Close()
	s.do(t, http.MethodPost, mw.FormDataContentType(), &b, nil).want(t, http.StatusAccepted, "")
	if r := get(t, s.fixture, 1); r.Fragment != "форма" || r.Comment != "урл" {
		t.Errorf("urlencoded stored %+v", r)
	}
	if r := get(t, s.fixture, 2); r.Fragment != "мультипарт" || r.Reporter.Name != "Оля" {
		t.Errorf("multipart stored %+v", r)
	}
	if n := len(s.send.messages()); n != 2 {
		t.Errorf("editors got %d messages, want 2", n)
	}
}

func TestSiteFieldLimitsAtAndPastTheEdge(t *testing.T) {
	s := newSite(t, SiteOptions{TrustProxy: true})
	cases := []struct {
		name, field, value string
		code               int
		bad                string
	}{
		{"text 1", "text", "ш", 202, ""},
		{"text 300", "text", strings.Repeat("ё", 300), 202, ""},
		{"text 301", "text", strings.Repeat("ё", 301), 400, "text"},
		{"text empty", "text", "  \n ", 400, "text"},
		{"comment 500", "comment", strings.Repeat("к", 500), 202, ""},
		{"comment 501", "comment", strings.Repeat("к", 501), 400, "comment"},
		{"name 100", "name", strings.Repeat("и", 100), 202, ""},
		{"name 101", "name", strings.Repeat("и", 101), 400, "name"},
		{"url missing", "url", "", 400, "url"},
		{"url relative", "url", "/news/42", 400, "url"},
		{"url javascript", "url", "javascript:alert(1)", 400, "url"},
		{"url ftp", "url", "ftp://gubkin.example/a", 400, "url"},
		{"url too long", "url", "https://gubkin.example/" + strings.Repeat("a", MaxURLBytes), 400, "url"},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := validSite(fmt.Sprintf("ошибка %d", i))
			in[c.field] = c.value
			ip := map[string]string{"X-Forwarded-For": fmt.Sprintf("198.51.100.%d", i+1)}
			s.postJSON(t, in, ip).want(t, c.code, c.bad)
		})
	}
	open, err := s.svc.Open(context.Background(), 10)
	if err != nil || len(open) != 4 {
		t.Fatalf("stored %d reports (%v), want the 4 accepted", len(open), err)
	}
	if got := []rune(open[3].Reporter.Name); len(got) != 100 {
		t.Errorf("a 100-character name was stored as %d", len(got))
	}
}

func TestSiteContextIsClippedNotRefused(t *testing.T) {
	s := newSite(t, SiteOptions{})
	in := validSite("шкалу")
	in["before"] = strings.Repeat("а", 40) + strings.Repeat("б", 60)
	in["after"] = strings.Repeat("в", 60) + strings.Repeat("г", 40)
	s.postJSON(t, in, nil).want(t, http.StatusAccepted, "")
	r := get(t, s.fixture, 1)
	if r.Before != strings.Repeat("б", 60) || r.After != strings.Repeat("в", 60) {
		t.Fatalf("context kept %q | %q, want the 60 nearest characters", r.Before, r.After)
	}
}

func TestSiteBodyOver8KiBIs413(t *testing.T) {
	s := newSite(t, SiteOptions{TrustProxy: true})
	body := func(size int) []byte {
		b, _ := json.Marshal(validSite("шкалу"))
		return append(b, bytes.Repeat([]byte(" "), size-len(b))...)
	}
	ip := func(n int) map[string]string {
		return map[string]string{"X-Forwarded-For": "203.0.113." + strconv.Itoa(n)}
	}
	s.do(t, http.MethodPost, "application/json", bytes.NewReader(body(MaxBodyBytes)), ip(1)).want(t, 202, "")
	s.do(t, http.MethodPost, "application/json", bytes.NewReader(body(MaxBodyBytes+1)), ip(2)).want(t, 413, "")
	// Without a Content-Length (chunked) the cap holds while reading.
	chunked := io.MultiReader(bytes.NewReader(body(MaxBodyBytes + 1)))
	s.do(t, http.MethodPost, "application/json", chunked, ip(3)).want(t, 413, "")
}

func TestSiteEleventhReportFromOneIPIs429(t *testing.T) {
	s := newSite(t, SiteOptions{}) // X-Forwarded-For is not trusted: spoofing it changes nothing
	for i := 1; i <= SiteReportsPerWindow; i++ {
		spoof := map[string]string{"X-Forwarded-For": fmt.Sprintf("10.0.0.%d", i)}
		s.postJSON(t, validSite(fmt.Sprintf("ошибка %d", i)), spoof).want(t, http.StatusAccepted, "")
	}
	res := s.postJSON(t, validSite("ошибка 11"), map[string]string{"X-Forwarded-For": "10.0.0.99"})
	res.want(t, http.StatusTooManyRequests, "")
	if sec, err := strconv.Atoi(res.header.Get("Retry-After")); err != nil || sec < 1 || sec > 300 {
		t.Fatalf("Retry-After = %q", res.header.Get("Retry-After"))
	}
	if res.body["error"] == "" {
		t.Error("429 without an error text")
	}
}

func TestSiteTrustedProxyGivesEachClientItsOwnBudget(t *testing.T) {
	s := newSite(t, SiteOptions{TrustProxy: true})
	for i := 1; i <= SiteReportsPerWindow+1; i++ {
		// The right-most entry is what our proxy saw; the left one is the client's word.
		xff := map[string]string{"X-Forwarded-For": "1.1.1.1, 192.0.2.10"}
		res := s.postJSON(t, validSite(fmt.Sprintf("ошибка %d", i)), xff)
		if i <= SiteReportsPerWindow {
			res.want(t, http.StatusAccepted, "")
		} else {
			res.want(t, http.StatusTooManyRequests, "")
		}
	}
	s.postJSON(t, validSite("другой читатель"), map[string]string{"X-Forwarded-For": "192.0.2.11"}).
		want(t, http.StatusAccepted, "")
	if r := get(t, s.fixture, 1); r.Reporter.IP != "192.0.2.10" {
		t.Errorf("client IP = %q, want 192.0.2.10", r.Reporter.IP)
	}
}

func TestSiteSameTextTwiceIsAlreadyReported(t *testing.T) {
	s := newSite(t, SiteOptions{})
	s.postJSON(t, validSite("шкалу"), nil).want(t, http.StatusAccepted, "")
	again := validSite("  шкалу ")
	again["url"] += "#comment-3"
	res := s.postJSON(t, again, nil)
	res.want(t, http.StatusOK, "")
	if res.body["status"] != "already_reported" || res.body["id"] != "1" {
		t.Fatalf("answer %v", res.body)
	}
	if n := len(s.send.messages()); n != 1 {
		t.Fatalf("editors got %d messages, want 1", n)
	}
	if n, _ := s.svc.CountOpen(context.Background()); n != 1 {
		t.Fatalf("%d reports stored, want 1", n)
	}
	ttl := s.st.R.TTL(context.Background(), s.svc.dupKey(SourceSite, "https://gubkin.example/news/42", "шкалу")).Val()
	if ttl <= 0 || ttl > SiteDuplicateTTL {
		t.Fatalf("duplicate remembered for %s, want up to %s", ttl, SiteDuplicateTTL)
	}
}

func TestSiteCORS(t *testing.T) {
	const allowed, other = "https://gubkin.example", "https://evil.example"
	s := newSite(t, SiteOptions{AllowedOrigins: []string{allowed + "/"}})
	preflight := func(origin string) response {
		return s.do(t, http.MethodOptions, "", nil, map[string]string{
			"Origin": origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"})
	}
	res := preflight(allowed)
	if res.code != 204 || res.header.Get("Access-Control-Allow-Origin") != allowed ||
		res.header.Get("Access-Control-Allow-Methods") != "POST" ||
		res.header.Get("Access-Control-Allow-Headers") != "Content-Type" || res.header.Get("Access-Control-Max-Age") == "" {
		t.Fatalf("allowed preflight: %d %v", res.code, res.header)
	}
	res = preflight(other)
	res.want(t, http.StatusForbidden, "")
	if res.header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatal("a refused origin got CORS headers")
	}
	s.postJSON(t, validSite("с чужого сайта"), map[string]string{"Origin": other}).want(t, 403, "")
	post := s.postJSON(t, validSite("шкалу"), map[string]string{"Origin": allowed})
	post.want(t, http.StatusAccepted, "")
	if post.header.Get("Access-Control-Allow-Origin") != allowed {
		t.Fatalf("POST from the site: Allow-Origin %q", post.header.Get("Access-Control-Allow-Origin"))
	}
	if n := len(s.send.messages()); n != 1 {
		t.Fatalf("editors got %d messages, want only the allowed one", n)
	}
}

func TestSiteCORSOffAndAny(t *testing.T) {
	off := newSite(t, SiteOptions{})
	res := off.postJSON(t, validSite("шкалу"), map[string]string{"Origin": "https://gubkin.example"})
	res.want(t, http.StatusForbidden, "")
	same := off.postJSON(t, validSite("шкалу"), map[string]string{"Origin": off.srv.URL})
	same.want(t, http.StatusAccepted, "")
	if same.header.Get("Access-Control-Allow-Origin") != "" {
		t.Error("a same-origin request got CORS headers with CORS off")
	}
	any := newSite(t, SiteOptions{AllowedOrigins: []string{"*"}})
	res = any.do(t, http.MethodOptions, "", nil, map[string]string{"Origin": "https://anything.example"})
	if res.code != 204 || res.header.Get("Access-Control-Allow-Origin") != "*" {
		t.Fatalf("preflight with *: %d %v", res.code, res.header)
	}
}

func TestSiteOtherMethodsAre405(t *testing.T) {
	s := newSite(t, SiteOptions{})
	for _, m := range []string{http.MethodGet, http.MethodPut, http.MethodDelete, http.MethodPatch} {
		res := s.do(t, m, "", nil, nil)
		if res.code != http.StatusMethodNotAllowed || res.header.Get("Allow") != "POST, OPTIONS" {
			t.Errorf("%s: %d, Allow %q", m, res.code, res.header.Get("Allow"))
		}
	}
}

func TestSiteRefusesWhatItCannotRead(t *testing.T) {
	s := newSite(t, SiteOptions{})
	s.do(t, http.MethodPost, "text/plain", strings.NewReader(`{"url":"https://a.example","text":"x"}`), nil).
		want(t, http.StatusUnsupportedMediaType, "")
	s.do(t, http.MethodPost, "application/json", strings.NewReader(`{"url":`), nil).want(t, 400, "")
	s.do(t, http.MethodPost, "application/json", strings.NewReader(`{"url":"https://a.example","text":5}`), nil).
		want(t, 400, "text")
	s.do(t, http.MethodPost, "application/json", strings.NewReader(`["https://a.example","x"]`), nil).want(t, 400, "")
	s.do(t, http.MethodPost, "multipart/form-data", strings.NewReader("x"), nil).want(t, 400, "")
	if n := len(s.send.messages()); n != 0 {
		t.Fatalf("editors got %d messages from bad requests", n)
	}
}

func TestSiteErrorsInTheReadersLanguage(t *testing.T) {
	s := newSite(t, SiteOptions{})
	in := validSite("")
	ru := s.postJSON(t, in, nil)
	en := s.postJSON(t, in, map[string]string{"Accept-Language": "en-GB,en;q=0.9"})
	if ru.body["error"] != "Выделите текст с ошибкой: от 1 до 300 символов." ||
		en.body["error"] != "Select the text with the mistake: 1 to 300 characters." {
		t.Fatalf("ru %q, en %q", ru.body["error"], en.body["error"])
	}
}

func TestSiteReportTakenWhileEditorsChatIsDown(t *testing.T) {
	s := newSite(t, SiteOptions{})
	s.send.failFirst = 1
	s.postJSON(t, validSite("шкалу"), nil).want(t, http.StatusAccepted, "")
	if n, _ := s.svc.CountPending(context.Background()); n != 1 {
		t.Fatalf("%d reports wait for the editors' chat, want 1", n)
	}
}
