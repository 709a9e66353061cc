package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// exampleIssuer is the OIDC issuer of the examples' cluster: examples/iam holds its provider and roles.
const exampleIssuer = "https://oidc.eks.us-west-2.amazonaws.com/id/5C6A3F0B8E2D41A7B9C3E1F20D4A6B8C"

// outcome is what kubectl shows for an example.
type outcome string

const (
	admitted outcome = "admitted" // created, no warning
	warned   outcome = "warned"   // created, with a Warning: line
	rejected outcome = "rejected" // Error from server (Forbidden): ... denied the request: ...
)

// example is one file of examples/manifests and what its comment header says:
//
//	# 03: what it shows, one line
//	# Expect: admitted | warned | rejected
//	# Run first: kubectl ...            (zero or more, in order)
type example struct {
	file   string     // e.g. "03-space-in-sub.yaml"
	title  string     // what it shows
	expect outcome    // what kubectl must show
	before [][]string // kubectl arguments to run first
}

// loadExamples reads the *.yaml files of dir in name order.
func loadExamples(dir string) ([]example, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no *.yaml files in %s", dir)
	}
	var out []example
	for _, f := range files { // Glob sorts
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		ex, err := parseExample(filepath.Base(f), data)
		if err != nil {
			return nil, err
		}
		out = append(out, ex)
	}
	return out, nil
}

// parseExample reads the comment header of an example: the comment lines before its first other line.
func parseExample(file string, data []byte) (example, error) {
	ex := example{file: file}
	number, _, _ := strings.Cut(file, "-")
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if !strings.HasPrefix(line, "#") {
			break
		}
		line = strings.TrimSpace(strings.TrimPrefix(line, "#"))
		switch {
		case strings.HasPrefix(line, number+":"):
			ex.title = strings.TrimSpace(strings.TrimPrefix(line, number+":"))
		case strings.HasPrefix(line, "Expect:"):
			switch o := outcome(strings.TrimSpace(strings.TrimPrefix(line, "Expect:"))); o {
			case admitted, warned, rejected:
				ex.expect = o
			default:
				return ex, fmt.Errorf("%s: Expect: %q is not admitted, warned or rejected", file, o)
			}
		case strings.HasPrefix(line, "Run first:"):
			args := strings.Fields(strings.TrimPrefix(line, "Run first:"))
			if len(args) < 2 || args[0] != "kubectl" {
				return ex, fmt.Errorf("%s: Run first: %q is not a kubectl command", file, strings.Join(args, " "))
			}
			ex.before = append(ex.before, args[1:])
		}
	}
	switch {
	case ex.title == "":
		return ex, fmt.Errorf("%s: no \"# NN: what it shows\" line (NN = %s) at the top", file, number)
	case ex.expect == "":
		return ex, fmt.Errorf("%s: no \"# Expect: admitted|warned|rejected\" line at the top", file)
	}
	return ex, nil
}
