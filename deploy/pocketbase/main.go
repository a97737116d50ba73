// Command pocketbase is the appliance's PocketBase binary: the stock server
// with the JS hooks plugin, the migrate command and a static route that
// serves the SvelteKit SPA, without the GitHub self-updater (the appliance
// upgrades through its own release).
//
// It behaves like an appliance rather than a development tool: its folders
// default to the ones `npm start` uses (see appliance_dirs.go), it is never
// in development mode unless --dev is given, it does not advertise
// PocketBase's own superuser installer (the UI has its own first-run screen)
// and it creates every data file readable by its owner only.
package main

import (
	"log"
	"os"
	"syscall"

	"github.com/pocketbase/pocketbase"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/plugins/jsvm"
	"github.com/pocketbase/pocketbase/plugins/migratecmd"
)

func main() {
	// the database holds password hashes and SMSC passwords: every file and
	// folder PocketBase creates is for its owner only
	syscall.Umask(0o077)

	// Go's profiler on loopback when APPLIANCE_PPROF is set (pprof.go)
	if err := startPprof(); err != nil {
		log.Fatal(err)
	}

	dirs := defaultDirs()
	structured := jsonLogs()
	app := pocketbase.NewWithConfig(pocketbase.Config{
		// JSON lines instead of the banner off a terminal (logs.go)
		HideStartBanner: structured,
		// never guessed from where the binary or the data live (PocketBase
		// turns dev mode on for binaries under the temp dir): only --dev
		DefaultDev:     false,
		DefaultDataDir: dirs.data,
		// SQLite compiled from C (sqlite.go)
		DBConnect: connectDB,
	})

	var hooksDir, migrationsDir, publicDir string
	var hooksWatch, indexFallback bool
	var hooksPool, requestLimit int

	flags := app.RootCmd.PersistentFlags()
	flags.StringVar(&hooksDir, "hooksDir", dirs.hooks, "the directory with the JS app hooks")
	flags.BoolVar(&hooksWatch, "hooksWatch", false, "auto restart the app on pb_hooks file change")
	flags.IntVar(&hooksPool, "hooksPool", 15, "the total prewarm goja.Runtime instances for the JS app hooks execution")
	flags.IntVar(&requestLimit, "requestLimit", -1, "the most API requests handled at once, the rest wait (default: half of --hooksPool, at least 4; 0: no limit)")
	flags.StringVar(&migrationsDir, "migrationsDir", dirs.migrations, "the directory with the user defined migrations")
	flags.StringVar(&publicDir, "publicDir", dirs.public, "the directory to serve static files")
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

	if requestLimit < 0 {
		requestLimit = max(4, hooksPool/2)
	}
	bindRequestLimit(app, requestLimit)
	bindFilterGuard(app)
	bindServiceTopics(app)
	bindOwnerOnlyDataDir(app)
	bindBackups(app)
	if structured {
		bindServeLog(app)
	}
	app.RootCmd.AddCommand(restoreCommand(app))

	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		// the first administrator is made on the UI's own first-run screen;
		// PocketBase's installer would print a superuser link and open a browser
		se.InstallerFunc = nil
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
		if structured {
			logJSON("fatal", err.Error(), nil)
			os.Exit(1)
		}
		log.Fatal(err)
	}
}
