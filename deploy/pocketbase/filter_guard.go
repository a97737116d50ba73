package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
	"github.com/pocketbase/pocketbase/tools/search"
	"github.com/spf13/cast"
)

// Client filters and sorts are a query language over the whole database. In
// PocketBase v0.39 a condition that must hold for *every* value of a
// multi-valued path (`!=`, `!~`, `<`… through a back-relation or a
// multi-valued relation) is built as a sub-query that skips the joined
// collections' list rules, so the answer of a list request could depend on
// records the caller may not read (docs/security.md, "Filters and sorts").
//
// The guard therefore lets a caller other than a superuser name only what
// the main query reaches under the list rules: the collection's own fields,
// and single-valued forward relations followed to their fields (each such
// join carries the target's list rule). A multi-valued relation may be
// followed to its `id` only, which is the record's own column. Back-relations
// (`x_via_y`) and `@collection` are refused outright.

const filterGuardId = "applianceFilterGuard"

// errFilterPath is the sentence a refused filter or sort answers with.
const errFilterPath = "Filters and sorts may use this collection's own fields and single relations only (%q is not allowed)."

// bindFilterGuard refuses, before any query runs, list requests and realtime
// subscriptions whose filter or sort reaches beyond what the caller may read.
func bindFilterGuard(app core.App) {
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		se.Router.Bind(filterGuardMiddleware())
		return se.Next()
	})
	app.OnRealtimeSubscribeRequest().Bind(&hook.Handler[*core.RealtimeSubscribeRequestEvent]{
		Id: filterGuardId,
		Func: func(e *core.RealtimeSubscribeRequestEvent) error {
			if e.HasSuperuserAuth() {
				return e.Next()
			}
			for _, sub := range e.Subscriptions {
				collection, filter, sort := subscriptionQuery(e.App, sub)
				if collection == nil {
					continue
				}
				if err := checkClientQuery(e.App, collection, filter, sort); err != nil {
					return e.BadRequestError(err.Error(), nil)
				}
			}
			return e.Next()
		},
	})
}

// filterGuardMiddleware checks the filter and sort of records list requests.
func filterGuardMiddleware() *hook.Handler[*core.RequestEvent] {
	return &hook.Handler[*core.RequestEvent]{
		Id: filterGuardId,
		// after the auth token is loaded, before any route handler
		Priority: apis.DefaultLoadAuthTokenMiddlewarePriority + 1,
		Func: func(e *core.RequestEvent) error {
			if e.Request.Method != http.MethodGet || e.HasSuperuserAuth() {
				return e.Next()
			}
			name, ok := recordsListCollection(e.Request.URL.Path)
			if !ok {
				return e.Next()
			}
			collection, err := e.App.FindCachedCollectionByNameOrId(name)
			if err != nil {
				return e.Next() // the route answers 404 itself
			}
			// every value, though PocketBase reads the first only
			q := e.Request.URL.Query()
			for _, filter := range append(q[search.FilterQueryParam], "") {
				for _, sort := range append(q[search.SortQueryParam], "") {
					if err := checkClientQuery(e.App, collection, filter, sort); err != nil {
						return e.BadRequestError(err.Error(), nil)
					}
				}
			}
			return e.Next()
		},
	}
}

// recordsListCollection returns the collection named by a records list path
// (/api/collections/{collection}/records).
func recordsListCollection(path string) (string, bool) {
	rest, ok := strings.CutPrefix(path, "/api/collections/")
	if !ok {
		return "", false
	}
	name, tail, ok := strings.Cut(strings.TrimSuffix(rest, "/"), "/")
	return name, ok && tail == "records" && name != ""
}

// subscriptionQuery returns the collection of a realtime subscription
// ("collection/*" or "collection/id", with ?options={"query":{…}}) and the
// filter and sort of its options, the way the subscriptions broker reads them.
func subscriptionQuery(app core.App, sub string) (*core.Collection, string, string) {
	u, err := url.Parse(sub)
	if err != nil {
		return nil, "", ""
	}
	name, _, _ := strings.Cut(u.Path, "/")
	collection, err := app.FindCachedCollectionByNameOrId(name)
	if err != nil {
		return nil, "", ""
	}
	raw := u.Query().Get("options")
	if raw == "" {
		return collection, "", ""
	}
	var options struct {
		Query map[string]any `json:"query"`
	}
	if err := json.Unmarshal([]byte(raw), &options); err != nil {
		return collection, "", ""
	}
	return collection, cast.ToString(options.Query[search.FilterQueryParam]), cast.ToString(options.Query[search.SortQueryParam])
}

// checkClientQuery checks every field path a filter and a sort name, as
// PocketBase's own parser finds them.
func checkClientQuery(app core.App, collection *core.Collection, filter, sort string) error {
	paths := &pathRecorder{}
	if filter != "" {
		// a filter that does not parse is refused by the route itself
		_, _ = search.FilterData(filter).BuildExpr(paths)
	}
	if sort != "" {
		for _, field := range search.ParseSortFromString(sort) {
			_, _ = field.BuildExpr(paths)
		}
	}
	for _, path := range paths.seen {
		if !allowedPath(app, collection, path) {
			return fmt.Errorf(errFilterPath, path)
		}
	}
	return nil
}

// allowedPath reports whether a field path stays within what the list rules
// guard: own fields, single forward relations, a multi relation's id.
func allowedPath(app core.App, collection *core.Collection, path string) bool {
	if strings.HasPrefix(path, "@") {
		// macros (@now, @todayStart…); @request and @collection are refused
		// for clients by PocketBase itself, and here too
		return !strings.HasPrefix(path, "@collection.") && !strings.HasPrefix(path, "@request.")
	}
	props := strings.Split(path, ".")
	last := len(props) - 1
	props[last], _, _ = strings.Cut(props[last], ":") // modifiers: :lower, :length, :each…
	current := collection
	for i, prop := range props[:last] {
		field := current.Fields.GetByName(prop)
		if field == nil {
			return false // a back-relation, or nothing
		}
		switch field.Type() {
		case core.FieldTypeJSON, core.FieldTypeGeoPoint:
			return true // the rest is a path inside the value
		case core.FieldTypeRelation:
			relation := field.(*core.RelationField)
			if relation.IsMultiple() {
				return i == last-1 && props[last] == core.FieldNameId
			}
			target, err := app.FindCachedCollectionByNameOrId(relation.CollectionId)
			if err != nil {
				return false
			}
			current = target
		default:
			return false
		}
	}
	if current.Fields.GetByName(props[last]) != nil {
		return true
	}
	// literals the parser hands to the resolver first
	return last == 0 && (strings.EqualFold(path, "null") || strings.EqualFold(path, "true") || strings.EqualFold(path, "false"))
}

// pathRecorder is a search.FieldResolver that resolves nothing: it collects
// the identifiers PocketBase's parser hands to a resolver.
type pathRecorder struct {
	seen []string
}

// Resolve records a field path and answers a harmless placeholder.
func (r *pathRecorder) Resolve(field string) (*search.ResolverResult, error) {
	r.seen = append(r.seen, field)
	return &search.ResolverResult{Identifier: "1"}, nil
}

// UpdateQuery is part of search.FieldResolver; nothing is queried.
func (r *pathRecorder) UpdateQuery(*dbx.SelectQuery) error {
	return nil
}
