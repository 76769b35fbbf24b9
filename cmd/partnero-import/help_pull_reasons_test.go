package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// help pull lists every reason a pull writes in left-out.csv: each one
// the pull code names (leave(REASON, ...), Reason: REASON, x.Reason = REASON)
// is in the topic, so that none goes undocumented again.
func TestHelpPullListsEveryLeftOutReason(t *testing.T) {
	t.Parallel()
	reasons := pullReasons(t, filepath.Join("..", "..", "importer", "pull"))
	if len(reasons) < 10 {
		t.Fatalf("found only %v: the scan of the pull code is broken", reasons)
	}
	topic, err := os.ReadFile(filepath.Join("topics", "pull.txt"))
	if err != nil {
		t.Fatal(err)
	}
	_, leftOut, _ := strings.Cut(string(topic), "\nLEFT OUT\n")
	for _, r := range reasons {
		if !strings.Contains(leftOut, r) {
			t.Errorf("left-out reason %q is not in help pull's LEFT OUT", r)
		}
	}
}

// pullReasons are the reasons the pull code in dir writes, resolved from
// its string constants.
func pullReasons(t *testing.T, dir string) []string {
	t.Helper()
	fset := token.NewFileSet()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	consts := map[string]string{}
	var named []ast.Expr
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.ValueSpec:
				for i, id := range n.Names {
					if i < len(n.Values) {
						if s, ok := stringLit(n.Values[i]); ok {
							consts[id.Name] = s
						}
					}
				}
			case *ast.CallExpr:
				if id, ok := n.Fun.(*ast.Ident); ok && id.Name == "leave" && len(n.Args) > 0 {
					named = append(named, n.Args[0])
				}
			case *ast.KeyValueExpr:
				if id, ok := n.Key.(*ast.Ident); ok && id.Name == "Reason" {
					named = append(named, n.Value)
				}
			case *ast.AssignStmt:
				for i, l := range n.Lhs {
					if sel, ok := l.(*ast.SelectorExpr); ok && sel.Sel.Name == "Reason" && i < len(n.Rhs) {
						named = append(named, n.Rhs[i])
					}
				}
			}
			return true
		})
	}
	seen, reasons := map[string]bool{}, []string(nil)
	for _, e := range named {
		r, ok := stringLit(e)
		if id, isIdent := e.(*ast.Ident); isIdent {
			if r, ok = consts[id.Name]; !ok {
				continue // a variable passed on (leaver's reason): its callers name it
			}
		}
		if !ok {
			t.Errorf("a reason the scan cannot resolve at %s", fset.Position(e.Pos()))
			continue
		}
		if !seen[r] {
			seen[r], reasons = true, append(reasons, r)
		}
	}
	return reasons
}

func stringLit(e ast.Expr) (string, bool) {
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(lit.Value)
	return s, err == nil
}
