package main

import (
	"io/fs"
	"os"
	"path/filepath"

	"github.com/pocketbase/pocketbase/core"
)

// applianceDirs are the folders the binary uses when no flag names them.
type applianceDirs struct {
	data, hooks, migrations, public string
}

// defaultDirs returns the same folders `npm start` passes: the binary lives
// in <root>/build/, the compiled hooks in build/pb_hooks, the UI in build/ui,
// the migrations in <root>/pb_migrations and the data in PB_DATA (relative to
// the root) or <root>/pb_data. So `build/pocketbase superuser upsert …` works
// on the appliance's own data, from any working directory, and inside the
// image (where PB_DATA=/data).
func defaultDirs() applianceDirs {
	root := filepath.Dir(binaryDir())
	data := os.Getenv("PB_DATA")
	if data == "" {
		data = "pb_data"
	}
	if !filepath.IsAbs(data) {
		data = filepath.Join(root, data)
	}
	return applianceDirs{
		data:       data,
		hooks:      filepath.Join(root, "build", "pb_hooks"),
		migrations: filepath.Join(root, "pb_migrations"),
		public:     filepath.Join(root, "build", "ui"),
	}
}

// binaryDir returns the folder of the binary as it was called (a symlink is
// not followed, so a linked build/ still finds its own root).
func binaryDir() string {
	arg0 := os.Args[0]
	if filepath.Base(arg0) == arg0 {
		// found through PATH
		if exe, err := os.Executable(); err == nil {
			return filepath.Dir(exe)
		}
	}
	if abs, err := filepath.Abs(arg0); err == nil {
		return filepath.Dir(abs)
	}
	return "."
}

// bindOwnerOnlyDataDir takes group and other permissions off everything in
// the data dir once it is bootstrapped, for data dirs made by an earlier
// release (new files are owner-only through the umask).
func bindOwnerOnlyDataDir(app core.App) {
	app.OnBootstrap().BindFunc(func(e *core.BootstrapEvent) error {
		if err := e.Next(); err != nil {
			return err
		}
		_ = filepath.WalkDir(e.App.DataDir(), func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.Type()&fs.ModeSymlink != 0 {
				return nil
			}
			if info, err := d.Info(); err == nil && info.Mode().Perm()&0o077 != 0 {
				_ = os.Chmod(path, info.Mode().Perm()&0o700)
			}
			return nil
		})
		return nil
	})
}
