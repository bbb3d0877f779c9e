package bench

import (
	"bufio"
	"os"
	"runtime"
	"strconv"
	"strings"
)

// Machine describes where a run was made: the load generator's machine
// (on loopback, the server's too).
type Machine struct {
	Hostname    string `json:"hostname"`               // os.Hostname
	OS          string `json:"os"`                     // GOOS
	Arch        string `json:"arch"`                   // GOARCH
	Kernel      string `json:"kernel,omitempty"`       // /proc/sys/kernel/osrelease
	CPUModel    string `json:"cpu_model,omitempty"`    // /proc/cpuinfo's model name
	CPUs        int    `json:"cpus"`                   // logical CPUs
	MemBytes    int64  `json:"mem_bytes,omitempty"`    // total memory
	Go          string `json:"go"`                     // the generator's Go version
	NoFileLimit uint64 `json:"nofile_limit,omitempty"` // the generator's open-files limit
	// LoadAvg is /proc/loadavg when the run started: others' work on a
	// shared machine shows here.
	LoadAvg string `json:"loadavg,omitempty"`
}

// machineInfo describes this machine; what cannot be read stays empty.
func machineInfo() Machine {
	m := Machine{OS: runtime.GOOS, Arch: runtime.GOARCH, CPUs: runtime.NumCPU(), Go: runtime.Version(), NoFileLimit: noFileLimit()}
	m.Hostname, _ = os.Hostname()
	m.Kernel = readTrim("/proc/sys/kernel/osrelease")
	m.LoadAvg = readTrim("/proc/loadavg")
	m.CPUModel = procField("/proc/cpuinfo", "model name")
	if kb := procField("/proc/meminfo", "MemTotal"); kb != "" {
		n, _ := strconv.ParseInt(strings.TrimSuffix(kb, " kB"), 10, 64)
		m.MemBytes = n << 10
	}
	return m
}

func readTrim(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// procField returns the value of the first "key: value" line of a /proc
// file.
func procField(path, key string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == key {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
