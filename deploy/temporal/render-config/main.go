// render-config renders the Temporal server's docker/config_template.yaml the way the
// temporalio/server image does at start-up (with dockerize): `.Env` is the environment, and
// `default VALUE FALLBACK` gives FALLBACK when VALUE is empty. `npm run stack:production` uses it to
// run the server outside Docker from the same template and the compose file's environment.
//
//	render-config < config_template.yaml > docker.yaml
package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"text/template"
)

// The functions the template calls, with dockerize's argument order.
var funcs = template.FuncMap{
	"default": func(value interface{}, fallback string) string {
		if s, ok := value.(string); ok && s != "" {
			return s
		}
		return fallback
	},
	"lower": strings.ToLower,
	"split": strings.Split,
	"trim":  strings.TrimSpace,
}

func main() {
	text, err := io.ReadAll(os.Stdin)
	if err != nil {
		fail(err)
	}
	tpl, err := template.New("config").Funcs(funcs).Option("missingkey=zero").Parse(string(text))
	if err != nil {
		fail(err)
	}
	env := map[string]string{}
	for _, pair := range os.Environ() {
		if name, value, ok := strings.Cut(pair, "="); ok {
			env[name] = value
		}
	}
	if err := tpl.Execute(os.Stdout, map[string]interface{}{"Env": env}); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "render-config:", err)
	os.Exit(1)
}
