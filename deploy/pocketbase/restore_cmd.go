package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/pocketbase/pocketbase"
	"github.com/spf13/cobra"
)

// cliRestoredEnv tells the process that PocketBase's restore re-executed
// that the swap is done.
const cliRestoredEnv = "APPLIANCE_CLI_RESTORED"

// restoreCommand is `pocketbase restore FILE.zip`: the command-line restore,
// for a stopped appliance or a fresh data dir. It checks the archive like
// the admin page does, keeps a copy in <data>/backups, saves the current data
// as pre_restore_<time>.zip (unless the data dir is new), and runs
// PocketBase's own restore: all the backup's files or none.
func restoreCommand(app *pocketbase.PocketBase) *cobra.Command {
	return &cobra.Command{
		Use:          "restore FILE.zip",
		Short:        "Restores a backup into the data dir (stop the appliance first)",
		Args:         cobra.ExactArgs(1),
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			if key := os.Getenv(cliRestoredEnv); key != "" {
				// the restart after the swap: bring the schema up to date and log it
				os.Unsetenv(cliRestoredEnv)
				if err := app.RunAllMigrations(); err != nil {
					return fmt.Errorf("restored %s, but the migrations failed: %w", key, err)
				}
				auditFinishedRestore(app)
				fmt.Printf("Restored %s into %s\n", key, app.DataDir())
				return nil
			}
			path, err := filepath.Abs(args[0])
			if err != nil {
				return err
			}
			if err := checkBackupArchive(app, path); err != nil {
				return fmt.Errorf("%s cannot be restored: %w", args[0], err)
			}
			key := safeBackupName(filepath.Base(path))
			dest := filepath.Join(backupsDir(app), key)
			if dest != path {
				if _, err := os.Stat(dest); err == nil {
					return fmt.Errorf("%s already holds a different %s; rename the file", backupsDir(app), key)
				}
				if err := copyFile(path, dest); err != nil {
					return err
				}
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
			defer cancel()
			saved := ""
			if _, err := app.FindCollectionByNameOrId("conversations"); err == nil {
				saved = "pre_restore_" + time.Now().UTC().Format("20060102_150405") + ".zip"
				if err := app.CreateBackup(ctx, saved); err != nil {
					return fmt.Errorf("could not save the current data first: %w", err)
				}
				fmt.Printf("Saved the current data as %s\n", filepath.Join(backupsDir(app), saved))
			}
			note, _ := json.Marshal(map[string]string{"actor_name": "command line", "key": key, "saved_as": saved})
			os.Setenv(restoreAuditEnv, string(note))
			os.Setenv(cliRestoredEnv, key)
			// on success this does not return: the process restarts as the
			// same command and takes the branch above
			err = app.RestoreBackup(ctx, key)
			return errors.Join(errors.New("the restore did not happen; the data dir is as it was"), err)
		},
	}
}

func copyFile(src, dst string) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return err
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		os.Remove(dst)
		return err
	}
	return out.Close()
}
