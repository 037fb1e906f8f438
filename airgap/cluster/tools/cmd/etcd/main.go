// Command etcd is the etcd server at the version k8s.io/kubernetes itself requires (same entry point as etcd's own main).
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
