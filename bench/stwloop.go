// stwloop: one line to its terminal (so that ttytop instruments it), a pause
// for the probes to attach, then N runtime.ReadMemStats calls, each a
// stop-the-world; prints the mean ns per call on stderr. For make bench.
package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"time"
)

func main() {
	n, err := strconv.Atoi(os.Args[1])
	if err != nil || n < 1 {
		fmt.Fprintln(os.Stderr, "usage: stwloop N")
		os.Exit(2)
	}
	fmt.Println("stwloop ready")
	time.Sleep(time.Second)
	var ms runtime.MemStats
	t := time.Now()
	for i := 0; i < n; i++ {
		runtime.ReadMemStats(&ms)
	}
	fmt.Fprintln(os.Stderr, time.Since(t).Nanoseconds()/int64(n))
}
