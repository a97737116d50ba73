package main

import (
	"errors"

	"github.com/pocketbase/pocketbase/core"
)

// bridgeEmail is the identity of the SMPP bridge's service account.
const bridgeEmail = "bridge@appliance.local"

// ensureBridgeAccount creates or updates the bridge's `services` account so
// that it signs in with the password the start script keeps in the data dir.
// It runs on serve, after the migrations (the JSVM has no serve hook).
func ensureBridgeAccount(app core.App, password string) error {
	account, err := app.FindAuthRecordByEmail("services", bridgeEmail)
	if err == nil && account.ValidatePassword(password) {
		return nil
	}
	if err != nil {
		collection, cerr := app.FindCollectionByNameOrId("services")
		if cerr != nil {
			return errors.Join(errors.New("the services collection is missing"), cerr)
		}
		account = core.NewRecord(collection)
		account.Set("name", "SMPP bridge")
		account.SetEmail(bridgeEmail)
		account.SetVerified(true)
	}
	account.SetPassword(password)
	return app.Save(account)
}
