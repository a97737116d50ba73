package main

// Backups for the appliance's administrators. PocketBase's own backups API
// (/api/backups) is for superusers only; these routes give the same powers
// to `users` with role admin, on top of PocketBase's own CreateBackup and
// RestoreBackup (one zip of the data dir in <data>/backups, the scheduled
// ones from settings.backups.cron), and add what an appliance needs:
//
//   - an archive is checked before it is kept or restored: a zip holding a
//     data.db that passes SQLite's integrity check and has the appliance's
//     collections. A restore swaps the whole data dir and restarts, and
//     PocketBase moves the old data back if the restart fails, so a restore
//     is all or nothing;
//   - a restore first saves the current data as pre_restore_<time>.zip;
//   - every create, upload, delete, restore and schedule change is written to
//     audit_log (a restore in the restored database, once it has started).

import (
	"archive/zip"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
	"github.com/pocketbase/pocketbase/tools/routine"
	"github.com/pocketbase/pocketbase/tools/types"
	"github.com/spf13/cast"
)

const backupsRoute = "/api/appliance/backups"

// restoreAuditEnv carries who asked for a restore across PocketBase's restart
// (an execve keeps the environment), so that the restored database gets the
// audit row.
const restoreAuditEnv = "APPLIANCE_RESTORE_AUDIT"

// backupKeyPattern is what a backup's file name may look like.
var backupKeyPattern = regexp.MustCompile(`^@?[A-Za-z0-9_.-]+\.zip$`)

// collectionsOfAppliance must all be in a database for it to be restored.
var collectionsOfAppliance = []string{"users", "conversations", "messages", "deliveries", "settings"}

type backupInfo struct {
	Key      string         `json:"key"`
	Size     int64          `json:"size"`
	Modified types.DateTime `json:"modified"`
}

type backupSchedule struct {
	// Cron is a cron expression in the server's time zone; empty means off.
	Cron string `json:"cron"`
	// Keep is how many scheduled backups are kept.
	Keep int `json:"keep"`
}

// bindBackups adds the administrators' backup routes and finishes the audit
// of a restore after the restart.
func bindBackups(app core.App) {
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		auditFinishedRestore(se.App)
		g := se.Router.Group(backupsRoute)
		g.Bind(requireAdministrator())
		g.GET("", backupsList)
		g.POST("", backupCreate)
		g.POST("/upload", backupUpload).Bind(apis.BodyLimit(0))
		g.PUT("/schedule", backupScheduleUpdate)
		g.GET("/{key}", backupDownload)
		g.DELETE("/{key}", backupDelete)
		g.POST("/{key}/restore", backupRestore)
		return se.Next()
	})
}

// requireAdministrator lets through users with role admin and superusers.
func requireAdministrator() *hook.Handler[*core.RequestEvent] {
	return &hook.Handler[*core.RequestEvent]{
		Id: "applianceRequireAdministrator",
		Func: func(e *core.RequestEvent) error {
			if e.Auth == nil {
				return e.UnauthorizedError("Sign in as an administrator.", nil)
			}
			if !e.Auth.IsSuperuser() && (e.Auth.Collection().Name != "users" || e.Auth.GetString("role") != "admin") {
				return e.ForbiddenError("Only administrators can manage backups.", nil)
			}
			return e.Next()
		},
	}
}

func backupsDir(app core.App) string {
	return filepath.Join(app.DataDir(), core.LocalBackupsDirName)
}

// backupsList answers the backups, newest first, and the schedule.
func backupsList(e *core.RequestEvent) error {
	entries, err := os.ReadDir(backupsDir(e.App))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return e.InternalServerError("Failed to read the backups folder.", err)
	}
	list := []backupInfo{}
	for _, entry := range entries {
		if entry.IsDir() || !backupKeyPattern.MatchString(entry.Name()) {
			continue
		}
		info, err := entry.Info()
		if err != nil {
			continue
		}
		modified, _ := types.ParseDateTime(info.ModTime())
		list = append(list, backupInfo{Key: entry.Name(), Size: info.Size(), Modified: modified})
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Modified.Time().After(list[j].Modified.Time()) })
	s := e.App.Settings().Backups
	return e.JSON(http.StatusOK, map[string]any{
		"backups":  list,
		"schedule": backupSchedule{Cron: s.Cron, Keep: s.CronMaxKeep},
		"busy":     e.App.Store().Has(core.StoreKeyActiveBackup),
	})
}

// backupCreate makes a backup of the data dir now.
func backupCreate(e *core.RequestEvent) error {
	name := "backup_" + time.Now().UTC().Format("20060102_150405") + ".zip"
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	if err := e.App.CreateBackup(ctx, name); err != nil {
		return e.BadRequestError("The backup failed: "+err.Error(), nil)
	}
	if err := doAuditBackup(e.App, e.Auth, e.RealIP(), "backup_create", name, nil); err != nil {
		return err
	}
	return e.JSON(http.StatusOK, map[string]string{"key": name})
}

// backupDownload sends a backup file.
func backupDownload(e *core.RequestEvent) error {
	key := e.Request.PathValue("key")
	if !backupKeyPattern.MatchString(key) {
		return e.NotFoundError("No such backup.", nil)
	}
	fsys, err := e.App.NewBackupsFilesystem()
	if err != nil {
		return e.InternalServerError("Failed to load the backups filesystem.", err)
	}
	defer fsys.Close()
	if ok, _ := fsys.Exists(key); !ok {
		return e.NotFoundError("No such backup.", nil)
	}
	e.Response.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", key))
	return fsys.Serve(e.Response, e.Request, key, key)
}

// backupUpload keeps an uploaded backup after checking it can be restored.
func backupUpload(e *core.RequestEvent) error {
	files, err := e.FindUploadedFiles("file")
	if err != nil || len(files) != 1 {
		return e.BadRequestError("Choose one backup file (.zip) to upload.", err)
	}
	file := files[0]
	key := safeBackupName(file.OriginalName)
	if _, err := os.Stat(filepath.Join(backupsDir(e.App), key)); err == nil {
		return e.BadRequestError(fmt.Sprintf("A backup named %s is already there.", key), nil)
	}
	tmpDir := filepath.Join(e.App.DataDir(), core.LocalTempDirName)
	if err := os.MkdirAll(tmpDir, 0o700); err != nil {
		return e.InternalServerError("Failed to make a temp folder.", err)
	}
	tmp, err := os.CreateTemp(tmpDir, "upload_*.zip")
	if err != nil {
		return e.InternalServerError("Failed to store the upload.", err)
	}
	defer os.Remove(tmp.Name())
	src, err := file.Reader.Open()
	if err != nil {
		tmp.Close()
		return e.BadRequestError("Failed to read the upload.", err)
	}
	_, err = io.Copy(tmp, src)
	src.Close()
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return e.InternalServerError("Failed to store the upload.", err)
	}
	if err := checkBackupArchive(e.App, tmp.Name()); err != nil {
		return e.BadRequestError("This file cannot be restored: "+err.Error(), nil)
	}
	if err := os.MkdirAll(backupsDir(e.App), 0o700); err != nil {
		return e.InternalServerError("Failed to make the backups folder.", err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(backupsDir(e.App), key)); err != nil {
		return e.InternalServerError("Failed to keep the upload.", err)
	}
	if err := doAuditBackup(e.App, e.Auth, e.RealIP(), "backup_upload", key, map[string]any{"size": file.Size}); err != nil {
		return err
	}
	return e.JSON(http.StatusOK, map[string]string{"key": key})
}

// backupDelete removes a backup file.
func backupDelete(e *core.RequestEvent) error {
	key := e.Request.PathValue("key")
	if !backupKeyPattern.MatchString(key) {
		return e.NotFoundError("No such backup.", nil)
	}
	if cast.ToString(e.App.Store().Get(core.StoreKeyActiveBackup)) == key {
		return e.BadRequestError("This backup is being written or restored.", nil)
	}
	if err := os.Remove(filepath.Join(backupsDir(e.App), key)); err != nil {
		return e.NotFoundError("No such backup.", nil)
	}
	if err := doAuditBackup(e.App, e.Auth, e.RealIP(), "backup_delete", key, nil); err != nil {
		return err
	}
	return e.NoContent(http.StatusNoContent)
}

// backupRestore checks a backup, saves the current data, and restores the
// backup in the background; the appliance restarts on the restored data.
func backupRestore(e *core.RequestEvent) error {
	key := e.Request.PathValue("key")
	if !backupKeyPattern.MatchString(key) {
		return e.NotFoundError("No such backup.", nil)
	}
	if e.App.Store().Has(core.StoreKeyActiveBackup) {
		return e.BadRequestError("Another backup or restore is running; try again in a moment.", nil)
	}
	path := filepath.Join(backupsDir(e.App), key)
	if _, err := os.Stat(path); err != nil {
		return e.NotFoundError("No such backup.", nil)
	}
	if err := checkBackupArchive(e.App, path); err != nil {
		return e.BadRequestError("This backup cannot be restored: "+err.Error(), nil)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	safety := "pre_restore_" + time.Now().UTC().Format("20060102_150405") + ".zip"
	if err := e.App.CreateBackup(ctx, safety); err != nil {
		return e.BadRequestError("Could not save the current data before restoring: "+err.Error(), nil)
	}

	actorID, actorName := actorOf(e.Auth)
	note, _ := json.Marshal(map[string]string{"actor": actorID, "actor_name": actorName, "ip": e.RealIP(), "key": key, "saved_as": safety})
	os.Setenv(restoreAuditEnv, string(note))

	app, ip := e.App, e.RealIP()
	routine.FireAndForget(func() {
		// let the answer reach the browser before the restart
		time.Sleep(500 * time.Millisecond)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
		defer cancel()
		// PocketBase's restore moves the backup's files in place of the data
		// dir's, restarts the process, and moves the old files back when the
		// restart fails
		if err := app.RestoreBackup(ctx, key); err != nil {
			os.Unsetenv(restoreAuditEnv)
			app.Logger().Error("Failed to restore a backup", "key", key, "error", err.Error())
			_ = saveAuditRow(app, actorID, actorName, ip, "backup_restore_failed", key, map[string]any{"error": err.Error(), "saved_as": safety})
		}
	})
	return e.JSON(http.StatusAccepted, map[string]string{"key": key, "saved_as": safety})
}

// backupScheduleUpdate changes when scheduled backups run and how many stay.
func backupScheduleUpdate(e *core.RequestEvent) error {
	var body backupSchedule
	if err := e.BindBody(&body); err != nil {
		return e.BadRequestError("Send {cron, keep}.", err)
	}
	body.Cron = strings.TrimSpace(body.Cron)
	if body.Keep < 1 || body.Keep > 365 {
		return e.BadRequestError("Keep between 1 and 365 backups.", nil)
	}
	settings, err := e.App.Settings().Clone()
	if err != nil {
		return e.InternalServerError("Failed to read the settings.", err)
	}
	before := backupSchedule{Cron: settings.Backups.Cron, Keep: settings.Backups.CronMaxKeep}
	settings.Backups.Cron = body.Cron
	settings.Backups.CronMaxKeep = body.Keep
	if err := e.App.Save(settings); err != nil {
		return e.BadRequestError("The schedule is not valid: "+err.Error(), nil)
	}
	if err := doAuditBackup(e.App, e.Auth, e.RealIP(), "backup_schedule", "", map[string]any{
		"cron": map[string]any{"old": before.Cron, "new": body.Cron},
		"keep": map[string]any{"old": before.Keep, "new": body.Keep},
	}); err != nil {
		return err
	}
	return e.JSON(http.StatusOK, body)
}

// checkBackupArchive reports why a zip cannot be restored: it must hold a
// data.db that is a sound SQLite database with the appliance's collections.
func checkBackupArchive(app core.App, zipPath string) error {
	r, err := zip.OpenReader(zipPath)
	if err != nil {
		return fmt.Errorf("not a zip archive (%v)", err)
	}
	defer r.Close()
	var db *zip.File
	for _, f := range r.File {
		if f.Name == "data.db" {
			db = f
		}
	}
	if db == nil {
		return errors.New("it has no data.db")
	}
	tmpDir := filepath.Join(app.DataDir(), core.LocalTempDirName)
	if err := os.MkdirAll(tmpDir, 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(tmpDir, "check_*.db")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	src, err := db.Open()
	if err != nil {
		tmp.Close()
		return fmt.Errorf("data.db cannot be read (%v)", err)
	}
	_, err = io.Copy(tmp, src)
	src.Close()
	tmp.Close()
	if err != nil {
		return fmt.Errorf("data.db cannot be read (%v)", err)
	}
	return checkDatabase(tmp.Name())
}

// checkDatabase opens a SQLite file read-only and checks it is whole and the
// appliance's.
func checkDatabase(path string) error {
	conn, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		return err
	}
	defer conn.Close()
	var integrity string
	if err := conn.QueryRow("PRAGMA integrity_check").Scan(&integrity); err != nil {
		return fmt.Errorf("data.db is not a SQLite database (%v)", err)
	}
	if integrity != "ok" {
		return fmt.Errorf("data.db is damaged (%s)", integrity)
	}
	for _, name := range collectionsOfAppliance {
		var n int
		if err := conn.QueryRow("SELECT count(*) FROM _collections WHERE name = ?", name).Scan(&n); err != nil || n != 1 {
			return fmt.Errorf("data.db is not this appliance's (no %s collection)", name)
		}
	}
	return nil
}

// safeBackupName turns an uploaded file's name into a backup key.
func safeBackupName(original string) string {
	base := strings.TrimSuffix(filepath.Base(original), filepath.Ext(original))
	base = regexp.MustCompile(`[^A-Za-z0-9_.-]+`).ReplaceAllString(base, "_")
	base = strings.Trim(base, "._-")
	if base == "" {
		base = "upload_" + time.Now().UTC().Format("20060102_150405")
	}
	return base + ".zip"
}

func actorOf(auth *core.Record) (id, name string) {
	if auth == nil || auth.IsSuperuser() {
		return "", "superuser"
	}
	return auth.Id, auth.GetString("name")
}

// doAuditBackup writes one audit_log row about a backup, like the hooks'
// doAudit (pb_hooks/lib/audit.ts) does for records.
func doAuditBackup(app core.App, auth *core.Record, ip, action, key string, details map[string]any) error {
	id, name := actorOf(auth)
	return saveAuditRow(app, id, name, ip, action, key, details)
}

func saveAuditRow(app core.App, actorID, actorName, ip, action, key string, details map[string]any) error {
	collection, err := app.FindCollectionByNameOrId("audit_log")
	if err != nil {
		return err
	}
	if actorID != "" {
		// the actor may not exist in a restored database
		if _, err := app.FindRecordById("users", actorID); err != nil {
			actorID = ""
		}
	}
	if details == nil {
		details = map[string]any{}
	}
	row := core.NewRecord(collection)
	row.Set("actor", actorID)
	row.Set("actor_name", actorName)
	row.Set("action", action)
	row.Set("target_collection", "backups")
	row.Set("target_id", "")
	row.Set("target_label", key)
	row.Set("details", details)
	row.Set("ip", ip)
	return app.Save(row)
}

// auditFinishedRestore writes the audit row of a restore that just restarted
// the process into the restored database.
func auditFinishedRestore(app core.App) {
	raw := os.Getenv(restoreAuditEnv)
	if raw == "" {
		return
	}
	os.Unsetenv(restoreAuditEnv)
	var note map[string]string
	if json.Unmarshal([]byte(raw), &note) != nil {
		return
	}
	if err := saveAuditRow(app, note["actor"], note["actor_name"], note["ip"], "backup_restore", note["key"], map[string]any{"saved_as": note["saved_as"]}); err != nil {
		app.Logger().Error("Failed to log a restore in the audit log", "error", err.Error())
	}
}
