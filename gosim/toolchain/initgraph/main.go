// Command initgraph reads Go packages and prints, as JSON, what decides the order of their initialization:
// for each package its imports in source order, its package-level variables, constants, functions and methods
// with the package-level objects each one refers to, and its init functions. gosim's model (gosim/inits.py)
// computes the order from this; the helper only reports what the source says.
//
// Input (stdin, JSON): {"goarch": "amd64", "packages": [{"path", "dir", "files", "importmap"}],
// "exports": {import path: export data file}}. The export files come from `go list -export`; the type checker
// (go/types) reads the imported packages from them, as the compiler does.
//
// "References" follow what go/types records (go/types/typexpr.go and call.go call addDeclDep): a use of a
// package-level constant, variable or function of the same package, and a method selected on a concrete type
// (x.m, T.m) whose declaration is in the package. A method called through an interface is not a reference: its
// object is the interface's method, which no declaration of the package declares. A function literal's
// references count for the declaration it appears in.
//
// Output (stdout, JSON): one object per package, in input order. go/types' own Info.InitOrder is included
// ("initorder") so that the Python model can be checked against it.
package main

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"sort"
	"strconv"
	"sync"
)

type input struct {
	GOARCH   string            `json:"goarch"`
	Packages []inPackage       `json:"packages"`
	Exports  map[string]string `json:"exports"`
}

type inPackage struct {
	Path      string            `json:"path"`
	Dir       string            `json:"dir"`
	Files     []string          `json:"files"`
	ImportMap map[string]string `json:"importmap"`
}

type variable struct {
	Name  string   `json:"name"`
	File  string   `json:"file"`
	Line  int      `json:"line"`
	Refs  []string `json:"refs"`
	IRefs []string `json:"irefs,omitempty"` // methods of instantiated generic types (see refs)
	Init  bool     `json:"init"`            // has an initializer
	Lhs   []string `json:"lhs,omitempty"`   // var a, b = f(): every name the one initializer assigns
}

type object struct {
	Name  string   `json:"name"` // a method is "T.m"
	Refs  []string `json:"refs"`
	IRefs []string `json:"irefs,omitempty"`
}

type initFunc struct {
	File  string `json:"file"`
	Line  int    `json:"line"` // the line of `func init`
	Empty bool   `json:"empty"`
}

type output struct {
	Path      string     `json:"path"`
	Name      string     `json:"name"`
	Imports   []string   `json:"imports"` // resolved import paths, in source order (files in the given order)
	Vars      []variable `json:"vars"`    // declaration order
	Consts    []object   `json:"consts"`  // declaration order, only the ones that refer to something
	Funcs     []object   `json:"funcs"`
	Inits     []initFunc `json:"inits"`
	InitOrder [][]string `json:"initorder"` // go/types' Info.InitOrder: the left-hand sides, in order
	Errors    []string   `json:"errors"`    // FILE:LINE:COL: message (parse and type errors)
}

func main() {
	var in input
	data, err := io.ReadAll(os.Stdin)
	if err == nil {
		err = json.Unmarshal(data, &in)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "initgraph: bad input:", err)
		os.Exit(2)
	}
	out := make([]output, len(in.Packages))
	work := make(chan int)
	var wg sync.WaitGroup
	fset := token.NewFileSet()
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				out[i] = analyse(fset, in.Packages[i], in.Exports, in.GOARCH)
			}
		}()
	}
	for i := range in.Packages {
		work <- i
	}
	close(work)
	wg.Wait()
	enc := json.NewEncoder(os.Stdout)
	if err := enc.Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, "initgraph:", err)
		os.Exit(1)
	}
}

// analyse parses and type-checks one package and collects its declarations.
func analyse(fset *token.FileSet, p inPackage, exports map[string]string, goarch string) output {
	out := output{Path: p.Path, Imports: []string{}, Vars: []variable{}, Consts: []object{}, Funcs: []object{},
		Inits: []initFunc{}, InitOrder: [][]string{}, Errors: []string{}}
	var files []*ast.File
	for _, name := range p.Files {
		f, err := parser.ParseFile(fset, filepath.Join(p.Dir, name), nil, parser.SkipObjectResolution)
		if err != nil {
			out.Errors = append(out.Errors, err.Error())
			continue
		}
		files = append(files, f)
	}
	if len(out.Errors) > 0 {
		return out
	}
	resolve := func(path string) string {
		if r, ok := p.ImportMap[path]; ok {
			return r
		}
		return path
	}
	lookup := func(path string) (io.ReadCloser, error) {
		file, ok := exports[path]
		if !ok {
			return nil, fmt.Errorf("no export data for %q", path)
		}
		return os.Open(file)
	}
	conf := types.Config{
		Importer: mappedImporter{importer.ForCompiler(fset, "gc", lookup).(types.ImporterFrom), resolve},
		Sizes:    types.SizesFor("gc", goarch),
		Error: func(err error) {
			if len(out.Errors) < 10 {
				out.Errors = append(out.Errors, err.Error())
			}
		},
	}
	info := &types.Info{ // InitOrder is always filled in
		Defs: map[*ast.Ident]types.Object{},
		Uses: map[*ast.Ident]types.Object{},
	}
	pkg, _ := conf.Check(p.Path, fset, files, info)
	if pkg != nil {
		out.Name = pkg.Name()
	}

	// The package-level objects of this package: exactly the keys of go/types' objMap that can be
	// dependencies (constants, variables, functions and methods), named as the model names them.
	decls := map[types.Object]string{}
	for _, f := range files {
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if obj := info.Defs[d.Name]; obj != nil && !(d.Recv == nil && d.Name.Name == "init") {
					decls[obj] = funcName(d)
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					if s, ok := s.(*ast.ValueSpec); ok {
						for _, id := range s.Names {
							if obj := info.Defs[id]; obj != nil && id.Name != "_" {
								decls[obj] = id.Name
							}
						}
					}
				}
			}
		}
	}
	// refs lists the declared names the nodes refer to, as go/types counts them; irefs the methods of
	// instantiated generic types they select, which go/types does not count (the selected method is a new
	// *Func made for the instance, whose Origin is the declared one, and addDeclDep keeps only objects of
	// objMap) but Go 1.19's compiler did (cmd/compile/internal/pkginit/initorder.go).
	refs := func(nodes ...ast.Node) (refs, irefs []string) {
		seen, iseen := map[string]bool{}, map[string]bool{}
		for _, n := range nodes {
			if n == nil || reflect.ValueOf(n).IsNil() { // d.Recv, d.Body, s.Type may be absent
				continue
			}
			ast.Inspect(n, func(n ast.Node) bool {
				id, ok := n.(*ast.Ident)
				if !ok {
					return true
				}
				obj := info.Uses[id]
				if name, ok := decls[obj]; ok {
					seen[name] = true
				} else if f, ok := obj.(*types.Func); ok && f.Origin() != f {
					if name, ok := decls[f.Origin()]; ok {
						iseen[name] = true
					}
				}
				return true
			})
		}
		return sorted(seen), sorted(iseen)
	}

	imported := map[string]bool{}
	for _, f := range files {
		base := filepath.Base(fset.Position(f.Package).Filename)
		for _, spec := range f.Imports {
			path := resolve(unquote(spec.Path.Value))
			if !imported[path] && path != "C" {
				imported[path] = true
				out.Imports = append(out.Imports, path)
			}
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil && d.Name.Name == "init" {
					empty := d.Body != nil && len(d.Body.List) == 0
					out.Inits = append(out.Inits, initFunc{base, fset.Position(d.Pos()).Line, empty})
					continue
				}
				r, ir := refs(d.Recv, d.Type, d.Body)
				out.Funcs = append(out.Funcs, object{funcName(d), r, ir})
			case *ast.GenDecl:
				for _, s := range d.Specs {
					s, ok := s.(*ast.ValueSpec)
					if !ok {
						continue
					}
					if d.Tok == token.CONST {
						for i, id := range s.Names {
							var value ast.Node
							if i < len(s.Values) {
								value = s.Values[i]
							}
							if r, _ := refs(s.Type, value); len(r) > 0 {
								out.Consts = append(out.Consts, object{id.Name, r, nil})
							}
						}
						continue
					}
					var lhs []string
					if len(s.Values) == 1 && len(s.Names) > 1 { // n:1, one initializer for all
						for _, id := range s.Names {
							lhs = append(lhs, id.Name)
						}
					}
					for i, id := range s.Names {
						v := variable{Name: id.Name, File: base, Line: fset.Position(id.Pos()).Line, Lhs: lhs}
						switch {
						case len(s.Values) == 0:
							v.Refs, v.IRefs = refs(s.Type)
						case lhs != nil:
							v.Refs, v.IRefs = refs(s.Type, s.Values[0])
							v.Init = true
						default:
							v.Refs, v.IRefs = refs(s.Type, s.Values[i])
							v.Init = true
						}
						out.Vars = append(out.Vars, v)
					}
				}
			}
		}
	}
	for _, init := range info.InitOrder {
		names := []string{}
		for _, v := range init.Lhs {
			names = append(names, v.Name())
		}
		out.InitOrder = append(out.InitOrder, names)
	}
	return out
}

func sorted(set map[string]bool) []string {
	names := make([]string, 0, len(set))
	for name := range set {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// funcName is "f" for a function and "T.m" for a method of T (or *T, or T[P]).
func funcName(d *ast.FuncDecl) string {
	if d.Recv == nil || len(d.Recv.List) == 0 {
		return d.Name.Name
	}
	t := d.Recv.List[0].Type
	for {
		switch x := t.(type) {
		case *ast.StarExpr:
			t = x.X
			continue
		case *ast.ParenExpr:
			t = x.X
			continue
		case *ast.IndexExpr:
			t = x.X
			continue
		case *ast.IndexListExpr:
			t = x.X
			continue
		}
		break
	}
	if id, ok := t.(*ast.Ident); ok {
		return id.Name + "." + d.Name.Name
	}
	return "?." + d.Name.Name
}

func unquote(s string) string {
	if u, err := strconv.Unquote(s); err == nil {
		return u
	}
	return s
}

// mappedImporter resolves an import path as written (golang.org/x/net/...) to the path go list gives the
// package (vendor/golang.org/x/net/...) before reading its export data.
type mappedImporter struct {
	from    types.ImporterFrom
	resolve func(string) string
}

func (m mappedImporter) Import(path string) (*types.Package, error) { return m.ImportFrom(path, "", 0) }

func (m mappedImporter) ImportFrom(path, dir string, mode types.ImportMode) (*types.Package, error) {
	return m.from.ImportFrom(m.resolve(path), dir, mode)
}
