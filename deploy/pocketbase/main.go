// Command pocketbase is the appliance's PocketBase binary: the stock server
// with the JS hooks plugin, the migrate command and a static route that
// serves the SvelteKit SPA, without the GitHub self-updater (the appliance
// upgrades through its own release).
package main

import (
	"log"
	"os"
	"path/filepath"
	"strings"

	"github.com/pocketbase/pocketbase"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/plugins/jsvm"
	"github.com/pocketbase/pocketbase/plugins/migratecmd"
)

func main() {
	app := pocketbase.New()

	var hooksDir, migrationsDir, publicDir string
	var hooksWatch, indexFallback bool
	var hooksPool int

	flags := app.RootCmd.PersistentFlags()
	flags.StringVar(&hooksDir, "hooksDir", "", "the directory with the JS app hooks")
	flags.BoolVar(&hooksWatch, "hooksWatch", false, "auto restart the app on pb_hooks file change")
	flags.IntVar(&hooksPool, "hooksPool", 15, "the total prewarm goja.Runtime instances for the JS app hooks execution")
	flags.StringVar(&migrationsDir, "migrationsDir", "", "the directory with the user defined migrations")
	flags.StringVar(&publicDir, "publicDir", defaultPublicDir(), "the directory to serve static files")
	flags.BoolVar(&indexFallback, "indexFallback", true, "fallback the request to index.html on missing static path (SPA routes)")

	app.RootCmd.ParseFlags(os.Args[1:])

	jsvm.MustRegister(app, jsvm.Config{
		MigrationsDir: migrationsDir,
		HooksDir:      hooksDir,
		HooksWatch:    hooksWatch,
		HooksPoolSize: hooksPool,
	})

	// migrations are authored by hand in pb_migrations/, never generated from
	// dashboard edits, so automigrate stays off
	migratecmd.MustRegister(app, app.RootCmd, migratecmd.Config{
		TemplateLang: migratecmd.TemplateLangJS,
		Dir:          migrationsDir,
		Automigrate:  false,
	})

	bindFilterGuard(app)

	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		if password := os.Getenv("APPLIANCE_BRIDGE_PASSWORD"); password != "" {
			if err := ensureBridgeAccount(se.App, password); err != nil {
				return err
			}
		}
		if !se.Router.HasRoute("GET", "/{path...}") {
			se.Router.GET("/{path...}", apis.Static(os.DirFS(publicDir), indexFallback))
		}
		return se.Next()
	})

	if err := app.Start(); err != nil {
		log.Fatal(err)
	}
}

// defaultPublicDir returns pb_public next to the binary when run from a build
// dir, or in the working directory when run with `go run`.
func defaultPublicDir() string {
	if strings.HasPrefix(os.Args[0], os.TempDir()) {
		return "./pb_public"
	}
	return filepath.Join(os.Args[0], "../pb_public")
}
