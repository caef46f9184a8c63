// k8s-validate checks rendered Kubernetes manifests offline, the way a real
// kube-apiserver (v1.32) would check them on create, without a cluster:
//
//  1. strict decoding into the typed API object of its apiVersion/kind
//     (unknown fields, duplicate fields and wrong types are errors; kinds or
//     versions the API does not serve are errors);
//  2. defaulting, conversion to the internal version, and the registry
//     strategy's create path (rest.BeforeCreate: PrepareForCreate, object-meta
//     and type validation from k8s.io/kubernetes/pkg/apis/*/validation).
//
// Usage: helm template ... | k8s-validate [-namespace ns] [-]   or   k8s-validate file.yaml...
// Prints one line per object; exits 1 if any object is invalid, 2 on usage/IO errors.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer/json"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	"k8s.io/apiserver/pkg/registry/rest"
	"k8s.io/kubernetes/pkg/api/legacyscheme"
	"k8s.io/kubernetes/pkg/apis/apps"
	"k8s.io/kubernetes/pkg/apis/batch"
	api "k8s.io/kubernetes/pkg/apis/core"
	"k8s.io/kubernetes/pkg/controlplane"
	sigsyaml "sigs.k8s.io/yaml"

	_ "k8s.io/kubernetes/pkg/apis/apps/install"
	_ "k8s.io/kubernetes/pkg/apis/batch/install"
	_ "k8s.io/kubernetes/pkg/apis/core/install"
	_ "k8s.io/kubernetes/pkg/apis/networking/install"
	_ "k8s.io/kubernetes/pkg/apis/policy/install"
	_ "k8s.io/kubernetes/pkg/apis/rbac/install"

	"k8s.io/kubernetes/pkg/registry/apps/deployment"
	"k8s.io/kubernetes/pkg/registry/apps/statefulset"
	"k8s.io/kubernetes/pkg/registry/batch/job"
	"k8s.io/kubernetes/pkg/registry/core/configmap"
	"k8s.io/kubernetes/pkg/registry/core/persistentvolumeclaim"
	"k8s.io/kubernetes/pkg/registry/core/pod"
	"k8s.io/kubernetes/pkg/registry/core/secret"
	"k8s.io/kubernetes/pkg/registry/core/service"
	"k8s.io/kubernetes/pkg/registry/core/serviceaccount"
	"k8s.io/kubernetes/pkg/registry/networking/networkpolicy"
	"k8s.io/kubernetes/pkg/registry/policy/poddisruptionbudget"
	"k8s.io/kubernetes/pkg/registry/rbac/role"
	"k8s.io/kubernetes/pkg/registry/rbac/rolebinding"
)

// strategies maps each supported kind to its resource name and to the create
// strategy the API server uses for it.
type kindInfo struct {
	resource string
	strategy rest.RESTCreateStrategy
}

var strategies = map[schema.GroupKind]kindInfo{
	{Group: "", Kind: "ConfigMap"}:                            {"configmaps", configmap.Strategy},
	{Group: "", Kind: "Service"}:                              {"services", service.Strategy},
	{Group: "", Kind: "ServiceAccount"}:                       {"serviceaccounts", serviceaccount.Strategy},
	{Group: "", Kind: "PersistentVolumeClaim"}:                {"persistentvolumeclaims", persistentvolumeclaim.Strategy},
	{Group: "", Kind: "Secret"}:                               {"secrets", secret.Strategy},
	{Group: "", Kind: "Pod"}:                                  {"pods", pod.Strategy},
	{Group: "apps", Kind: "StatefulSet"}:                      {"statefulsets", statefulset.Strategy},
	{Group: "apps", Kind: "Deployment"}:                       {"deployments", deployment.Strategy},
	{Group: "batch", Kind: "Job"}:                             {"jobs", job.Strategy},
	{Group: "rbac.authorization.k8s.io", Kind: "Role"}:        {"roles", role.Strategy},
	{Group: "rbac.authorization.k8s.io", Kind: "RoleBinding"}: {"rolebindings", rolebinding.Strategy},
	{Group: "policy", Kind: "PodDisruptionBudget"}:            {"poddisruptionbudgets", poddisruptionbudget.Strategy},
	{Group: "networking.k8s.io", Kind: "NetworkPolicy"}:       {"networkpolicies", networkpolicy.Strategy},
}

// served is the set of API versions/resources a default kube-apiserver v1.32 enables.
var served = controlplane.DefaultAPIResourceConfigSource()

func main() {
	namespace := flag.String("namespace", "default", "namespace assumed for namespaced objects without metadata.namespace")
	quiet := flag.Bool("q", false, "print only invalid objects")
	flag.Parse()

	inputs := flag.Args()
	if len(inputs) == 0 {
		inputs = []string{"-"}
	}
	strict := json.NewSerializerWithOptions(json.DefaultMetaFactory, legacyscheme.Scheme, legacyscheme.Scheme,
		json.SerializerOptions{Yaml: false, Strict: true})

	total, invalid := 0, 0
	for _, in := range inputs {
		var r io.Reader
		if in == "-" {
			r = os.Stdin
		} else {
			f, err := os.Open(in)
			if err != nil {
				fmt.Fprintf(os.Stderr, "k8s-validate: %v\n", err)
				os.Exit(2)
			}
			defer f.Close()
			r = f
		}
		docs, err := splitDocuments(r)
		if err != nil {
			fmt.Fprintf(os.Stderr, "k8s-validate: %s: %v\n", in, err)
			os.Exit(2)
		}
		for _, doc := range docs {
			total++
			id, problems := validate(doc.body, strict, *namespace)
			where := doc.source
			if where == "" {
				where = in
			}
			if len(problems) > 0 {
				invalid++
				fmt.Printf("INVALID %s (%s)\n", id, where)
				for _, p := range problems {
					fmt.Printf("  - %s\n", p)
				}
			} else if !*quiet {
				fmt.Printf("ok      %s (%s)\n", id, where)
			}
		}
	}
	fmt.Printf("%d objects, %d invalid\n", total, invalid)
	if total == 0 {
		fmt.Fprintln(os.Stderr, "k8s-validate: no objects in input")
		os.Exit(2)
	}
	if invalid > 0 {
		os.Exit(1)
	}
}

type document struct {
	source string // "# Source: ..." comment written by helm template
	body   []byte
}

func splitDocuments(r io.Reader) ([]document, error) {
	reader := utilyaml.NewYAMLReader(bufio.NewReader(r))
	var out []document
	for {
		raw, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		source := ""
		meaningful := false
		for _, line := range strings.Split(string(raw), "\n") {
			t := strings.TrimSpace(line)
			if strings.HasPrefix(t, "# Source: ") {
				source = strings.TrimPrefix(t, "# Source: ")
			}
			if t != "" && !strings.HasPrefix(t, "#") && t != "---" {
				meaningful = true
			}
		}
		if meaningful {
			out = append(out, document{source: source, body: raw})
		}
	}
}

func validate(doc []byte, strict *json.Serializer, namespace string) (string, []string) {
	jsonDoc, err := sigsyaml.YAMLToJSONStrict(doc)
	if err != nil {
		return "<unparsable>", []string{"YAML: " + err.Error()}
	}
	gvk, err := json.DefaultMetaFactory.Interpret(jsonDoc)
	if err != nil || gvk.Kind == "" || gvk.Version == "" {
		return "<unknown>", []string{"missing apiVersion or kind"}
	}
	id := gvk.GroupVersion().String() + "/" + gvk.Kind

	// 1. strict typed decoding of the served external version
	if !legacyscheme.Scheme.Recognizes(*gvk) {
		return id, []string{fmt.Sprintf("%s is not served by Kubernetes v1.32 (unknown group/version/kind)", id)}
	}
	obj, _, err := strict.Decode(jsonDoc, gvk, nil)
	var problems []string
	if err != nil {
		if obj == nil || !runtime.IsStrictDecodingError(err) {
			return id, []string{"decode: " + err.Error()}
		}
		problems = append(problems, "strict decoding: "+err.Error())
	}
	accessor, err := meta.Accessor(obj)
	if err == nil {
		id += " " + accessor.GetName()
	}

	info, ok := strategies[gvk.GroupKind()]
	if !ok {
		return id, append(problems, fmt.Sprintf("no server-side validation wired for %s (add it to k8s-validate)", gvk.GroupKind()))
	}
	if !served.ResourceEnabled(gvk.GroupVersion().WithResource(info.resource)) {
		return id, append(problems, fmt.Sprintf("%s is not served by a default kube-apiserver v1.32 (removed or disabled API version)", id))
	}
	strategy := info.strategy

	// 2. defaulting + conversion to the internal version, as the API server does on decode
	legacyscheme.Scheme.Default(obj)
	internal, err := legacyscheme.Scheme.ConvertToVersion(obj, schema.GroupVersion{Group: gvk.Group, Version: runtime.APIVersionInternal})
	if err != nil {
		return id, append(problems, "conversion: "+err.Error())
	}
	ctx := context.Background()
	if strategy.NamespaceScoped() {
		ns := namespace
		if accessor != nil && accessor.GetNamespace() != "" {
			ns = accessor.GetNamespace()
		}
		ctx = genericapirequest.WithNamespace(ctx, ns)
		if m, err := meta.Accessor(internal); err == nil && m.GetNamespace() == "" {
			m.SetNamespace(ns)
		}
	}
	// 3. the registry create path: system fields, PrepareForCreate, object meta checks, Validate
	if m, err := meta.Accessor(internal); err == nil {
		rest.FillObjectMetaSystemFields(m)
	}
	if err := rest.BeforeCreate(strategy, ctx, internal); err != nil {
		problems = append(problems, "validation: "+err.Error())
	}
	for _, w := range strategy.WarningsOnCreate(ctx, internal) {
		problems = append(problems, "warning (treated as error): "+w)
	}
	// 4. workload pod templates: the API server does not validate a StatefulSet's pod
	// template on create (the controller's pod create fails later), so validate the pod
	// each workload controller would create, with the pod create strategy.
	if p := podFromWorkload(internal); p != nil {
		rest.FillObjectMetaSystemFields(p)
		if err := rest.BeforeCreate(pod.Strategy, ctx, p); err != nil {
			problems = append(problems, "pod template: "+err.Error())
		}
		for _, w := range pod.Strategy.WarningsOnCreate(ctx, p) {
			problems = append(problems, "pod template warning (treated as error): "+w)
		}
	}
	// 5. StatefulSet volumeClaimTemplates: validated as the PVCs the controller creates
	if sts, ok := internal.(*apps.StatefulSet); ok {
		for i := range sts.Spec.VolumeClaimTemplates {
			claim := sts.Spec.VolumeClaimTemplates[i].DeepCopy()
			claim.Name = claim.Name + "-" + sts.Name + "-0"
			claim.Namespace = sts.Namespace
			rest.FillObjectMetaSystemFields(claim)
			if err := rest.BeforeCreate(persistentvolumeclaim.Strategy, ctx, claim); err != nil {
				problems = append(problems, "volume claim template: "+err.Error())
			}
		}
	}
	return id, problems
}

func podFromWorkload(obj runtime.Object) *api.Pod {
	var template *api.PodTemplateSpec
	name := ""
	var claims []api.PersistentVolumeClaim
	switch o := obj.(type) {
	case *apps.StatefulSet:
		template, name, claims = &o.Spec.Template, o.Name+"-0", o.Spec.VolumeClaimTemplates
	case *apps.Deployment:
		template, name = &o.Spec.Template, o.Name+"-5d8f6c7b9-abcde"
	case *batch.Job:
		template, name = &o.Spec.Template, o.Name+"-abcde"
	default:
		return nil
	}
	p := &api.Pod{ObjectMeta: *template.ObjectMeta.DeepCopy(), Spec: *template.Spec.DeepCopy()}
	p.Name = name
	p.Namespace = obj.(metav1.Object).GetNamespace()
	// the StatefulSet controller adds one PVC volume per claim template
	for _, c := range claims {
		vol := api.Volume{Name: c.Name, VolumeSource: api.VolumeSource{
			PersistentVolumeClaim: &api.PersistentVolumeClaimVolumeSource{ClaimName: c.Name + "-" + name},
		}}
		replaced := false
		for i := range p.Spec.Volumes {
			if p.Spec.Volumes[i].Name == c.Name {
				p.Spec.Volumes[i], replaced = vol, true
			}
		}
		if !replaced {
			p.Spec.Volumes = append(p.Spec.Volumes, vol)
		}
	}
	return p
}
