package main

import (
	"strings"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
)

// serviceTopics are the custom realtime topics only a `services` account
// (the SMPP bridge) may subscribe to. The hooks publish on them to services
// clients only as well (pb_hooks/lib/realtime.ts); refusing the subscription
// says so plainly to anyone else. Checked here in Go so that a browser's
// subscription request costs no JS VM.
var serviceTopics = map[string]bool{
	// running broadcasts have work due (pb_hooks/lib/realtime.ts, BROADCASTS_DUE)
	"broadcasts_due": true,
}

const serviceTopicsId = "applianceServiceTopics"

// bindServiceTopics refuses a subscription to a service-only topic from any
// caller not signed in as a `services` account.
func bindServiceTopics(app core.App) {
	app.OnRealtimeSubscribeRequest().Bind(&hook.Handler[*core.RealtimeSubscribeRequestEvent]{
		Id: serviceTopicsId,
		Func: func(e *core.RealtimeSubscribeRequestEvent) error {
			for _, sub := range e.Subscriptions {
				topic, _, _ := strings.Cut(sub, "?")
				if !serviceTopics[topic] {
					continue
				}
				if e.Auth == nil || e.Auth.Collection().Name != "services" {
					return e.ForbiddenError("Only the SMS bridge may subscribe to "+topic+".", nil)
				}
			}
			return e.Next()
		},
	})
}
