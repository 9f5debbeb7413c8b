package typo

import (
	"bytes"
	"crypto/sha256"
	_ "embed" // the widget ships inside the binary
	"encoding/hex"
	"net/http"
	"time"
)

// Widget is the site's Ctrl+Enter script (widget/typo.js).
//
//go:embed widget/typo.js
var Widget []byte

// widgetMaxAge lets browsers and the site's CDN keep the script an hour;
// the ETag makes the revalidation after that cheap.
const widgetMaxAge = "public, max-age=3600"

var widgetETag = func() string {
	sum := sha256.Sum256(Widget)
	return `"` + hex.EncodeToString(sum[:8]) + `"`
}()

// started is the Last-Modified of the widget: it changes only with the binary.
var started = time.Now()

// WidgetHandler serves GET /typo.js.
func WidgetHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		w.Header().Set("Cache-Control", widgetMaxAge)
		w.Header().Set("ETag", widgetETag)
		w.Header().Set("X-Content-Type-Options", "nosniff")
		// Any site may load the script; it carries nothing secret.
		w.Header().Set("Cross-Origin-Resource-Policy", "cross-origin")
		http.ServeContent(w, r, "typo.js", started, bytes.NewReader(Widget))
	})
}
