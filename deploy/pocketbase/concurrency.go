package main

import (
	"net/http"
	"strings"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
)

// bindRequestLimit lets at most `limit` API requests run at once; the rest
// wait their turn (or give up when their client does). A JS hook call takes
// a VM from the --hooksPool pool and, when all are busy, a one-off VM that
// loads every module it requires again: 200 requests in flight made
// PocketBase's RSS climb to 1.5 GB in the soak benchmark (docs/performance.md).
// With the limit at half the pool (a request's after-commit hooks take a
// second VM) calls stay on pooled VMs. The realtime event stream (a request
// that lasts as long as its client is connected) and /api/health are not
// counted. A limit of 0 turns it off.
func bindRequestLimit(app core.App, limit int) {
	if limit <= 0 {
		return
	}
	slots := make(chan struct{}, limit)
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		se.Router.Bind(&hook.Handler[*core.RequestEvent]{
			Id: "applianceRequestLimit",
			// after the activity logger and CORS, before auth loading and the handlers
			Priority: apis.DefaultRateLimitMiddlewarePriority + 1,
			Func: func(e *core.RequestEvent) error {
				path := e.Request.URL.Path
				if !strings.HasPrefix(path, "/api/") || path == "/api/health" || (path == "/api/realtime" && e.Request.Method == http.MethodGet) {
					return e.Next()
				}
				select {
				case slots <- struct{}{}:
				case <-e.Request.Context().Done():
					return e.Request.Context().Err()
				}
				defer func() { <-slots }()
				return e.Next()
			},
		})
		return se.Next()
	})
}
