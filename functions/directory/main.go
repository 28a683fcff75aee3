// Command directory is the DirectoryFunction Lambda: the district tree, venues, the
// cultural e-map, ratings and feedback, teams, figures and reports.
package main

import (
	"github.com/wentitong/wentitong/shared/app/boot"
	"github.com/wentitong/wentitong/shared/app/directoryapp"
)

func main() { boot.StartHTTP(directoryapp.Router) }
