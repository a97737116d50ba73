package main

import (
	"encoding/json"
	"os"
	"time"

	"github.com/pocketbase/pocketbase/core"
)

// jsonLogs reports whether the process log should be JSON lines (stdout is
// not a terminal: a container, journald, a log collector) rather than
// PocketBase's banner for people. LOG_FORMAT=json or pretty overrides.
func jsonLogs() bool {
	switch os.Getenv("LOG_FORMAT") {
	case "json":
		return true
	case "pretty":
		return false
	}
	info, err := os.Stdout.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice == 0
}

// logJSON writes one log line in the shape the supervisor and the bridge use.
func logJSON(level, msg string, fields map[string]any) {
	line := map[string]any{"level": level, "time": time.Now().UTC().Format(time.RFC3339Nano), "svc": "pocketbase", "msg": msg}
	for k, v := range fields {
		line[k] = v
	}
	b, _ := json.Marshal(line)
	os.Stdout.Write(append(b, '\n'))
}

// bindServeLog replaces PocketBase's start banner by one JSON line.
func bindServeLog(app core.App) {
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		if err := se.Next(); err != nil {
			return err
		}
		logJSON("info", "serving", map[string]any{"http": se.Server.Addr, "data": se.App.DataDir()})
		return nil
	})
}
