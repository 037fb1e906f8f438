// mkzip writes a Go module zip (the format a GOPROXY serves) of a directory: mkzip MODULE VERSION OUT.zip DIR.
package main

import (
	"fmt"
	"os"

	"golang.org/x/mod/module"
	"golang.org/x/mod/zip"
)

func main() {
	if len(os.Args) != 5 {
		fmt.Fprintln(os.Stderr, "usage: mkzip MODULE VERSION OUT.zip DIR")
		os.Exit(2)
	}
	out, err := os.Create(os.Args[3])
	if err != nil {
		panic(err)
	}
	defer out.Close()
	if err := zip.CreateFromDir(out, module.Version{Path: os.Args[1], Version: os.Args[2]}, os.Args[4]); err != nil {
		panic(err)
	}
}
