package typo

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"testing"
)

func TestWidgetIsServed(t *testing.T) {
	srv := httptest.NewServer(WidgetHandler())
	t.Cleanup(srv.Close)
	res, err := srv.Client().Get(srv.URL + "/typo.js")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/javascript; charset=utf-8" ||
		res.Header.Get("Cache-Control") != widgetMaxAge || !bytes.Equal(body, Widget) {
		t.Fatalf("GET /typo.js: %d %v (%d bytes)", res.StatusCode, res.Header, len(body))
	}
	for _, want := range []string{"data-endpoint", "Спасибо! Редакция получила сообщение", "Escape", "metaKey"} {
		if !bytes.Contains(Widget, []byte(want)) {
			t.Errorf("the widget lacks %q", want)
		}
	}
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/typo.js", nil)
	req.Header.Set("If-None-Match", res.Header.Get("ETag"))
	again, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	again.Body.Close()
	if again.StatusCode != http.StatusNotModified {
		t.Errorf("revalidation: %d, want 304", again.StatusCode)
	}
	post, err := srv.Client().Post(srv.URL+"/typo.js", "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	post.Body.Close()
	if post.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /typo.js: %d, want 405", post.StatusCode)
	}
}

func TestWidgetIsValidJavaScript(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not on PATH")
	}
	if out, err := exec.Command(node, "--check", "widget/typo.js").CombinedOutput(); err != nil {
		t.Fatalf("node --check: %v\n%s", err, out)
	}
}
