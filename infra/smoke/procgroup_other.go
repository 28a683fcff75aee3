//go:build !linux

package main

import "os/exec"

// setProcessGroup does nothing: the smoke test runs the emulator on Linux only.
func setProcessGroup(*exec.Cmd) {}

// killProcessGroup kills cmd.
func killProcessGroup(cmd *exec.Cmd) {
	if cmd.Process != nil {
		_ = cmd.Process.Kill()
	}
}
