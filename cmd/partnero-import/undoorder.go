package main

// A migration is undone the other way round: sales, then customers, then
// partners. Rolling back partners while their customers' or sales'
// reports beside them are not rolled back leaves those records active
// under archived partners: said before anything is changed.

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/partnero-import/partnero-import/report"
)

// notUndoneAfter are the reports beside reportPath of imports into the
// same API of a kind undone before undone's (customers and sales before
// partners, sales before customers) that no rollback beside them undid.
func notUndoneAfter(reportPath string, undone *report.Provenance) []string {
	dir := filepath.Dir(reportPath)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	order := func(k report.Kind) int { return max(kindOrder(k), 0) } // "": partners, from before kinds
	var imported []string
	rolledBack := map[string]bool{}
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".provenance.json")
		if !ok {
			continue
		}
		path := filepath.Join(dir, name)
		prov, err := report.ReadProvenance(path)
		if err != nil || prov.Destination != undone.Destination {
			continue
		}
		switch {
		case prov.Command == "rollback":
			rolledBack[filepath.Base(prov.Input)] = true // the rollback's report is beside it
		case prov.Command == "import" && !prov.NothingSent && order(prov.Kind) > order(undone.Kind):
			imported = append(imported, path)
		}
	}
	var live []string
	for _, path := range imported {
		if !rolledBack[filepath.Base(path)] {
			live = append(live, path)
		}
	}
	return live
}
