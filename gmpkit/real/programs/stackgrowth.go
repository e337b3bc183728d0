// stackgrowth watches a goroutine's stack grow.  A goroutine starts with a
// small stack (2 KiB); when a function prologue finds too little room,
// runtime.newstack copies the whole stack to one twice as large.  Pointers
// into the stack are adjusted by the copy, plain integers are not, so
// comparing the two shows every move.
//
// Output: one JSON line {"moves": [{"depth", "used_bytes", "stack_bytes"}...]}
// where stack_bytes is the size after the move (2 KiB doubled once per move).
package main

import (
	"encoding/json"
	"flag"
	"os"
	"unsafe"
)

type move struct {
	Depth      int `json:"depth"`
	UsedBytes  int `json:"used_bytes"`
	StackBytes int `json:"stack_bytes"`
}

var moves []move

//go:noinline
func recurse(depth, max int, top *byte, lastTop uintptr, size int) int {
	var pad [64]byte // make each frame a little larger
	pad[depth%64] = byte(depth)
	here := uintptr(unsafe.Pointer(&pad[0]))
	nowTop := uintptr(unsafe.Pointer(top))
	if nowTop != lastTop { // the stack was copied since the caller looked
		size *= 2
		moves = append(moves, move{depth, int(nowTop - here), size})
	}
	if depth == max {
		return int(pad[0])
	}
	return recurse(depth+1, max, top, nowTop, size) + int(pad[1])
}

func main() {
	depth := flag.Int("depth", 20000, "recursion depth")
	flag.Parse()
	done := make(chan struct{})
	go func() { // a fresh goroutine starts with the minimum stack
		var top byte
		recurse(0, *depth, &top, uintptr(unsafe.Pointer(&top)), 2048)
		close(done)
	}()
	<-done
	json.NewEncoder(os.Stdout).Encode(map[string]any{"moves": moves, "depth": *depth})
}
