// Tests of the Kubernetes manifests in deploy/kubernetes/: each file parses, names no
// namespace, and the pieces fit together the way docs/operations.md says: probes on the
// admin port the configuration really listens on, the Secret template holding names but
// no key material and every TLS file the configuration needs, the ServiceMonitor and the
// Services selecting what exists, and the ConfigMap's gateway.yaml and policy loading as
// the gateway would load them (with a test PKI put where the Secret would be mounted).
// The shell tests in tests/deploy/ check the systemd unit, the container file, the Taicang
// example and the development PKI scripts.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "gateway/config/config.h"
#include "policies/policy.h"
#include "tests/support/pki.h"

namespace sixlink {
namespace {

namespace fs = std::filesystem;

const fs::path kDir = fs::path(SIXLINK_SOURCE_DIR) / "deploy" / "kubernetes";
const std::string kTlsMount = "/etc/sixlink/tls/";

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (std::size_t at = text.find(from); at != std::string::npos;
       at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

// Every manifest document of the folder, by file name (kustomization.yaml apart).
struct Manifests {
  std::map<std::string, std::vector<YAML::Node>> by_file;

  // The one document of this kind and name; fails the test when absent.
  YAML::Node get(const std::string& kind, const std::string& name) const {
    for (const auto& [file, docs] : by_file)
      for (const YAML::Node& d : docs)
        if (d["kind"].as<std::string>() == kind && d["metadata"]["name"].as<std::string>() == name)
          return d;
    ADD_FAILURE() << "no " << kind << " named " << name;
    return YAML::Node();
  }
  std::vector<YAML::Node> all(const std::string& kind) const {
    std::vector<YAML::Node> out;
    for (const auto& [file, docs] : by_file)
      for (const YAML::Node& d : docs)
        if (d["kind"].as<std::string>() == kind) out.push_back(d);
    return out;
  }
};

Manifests load_manifests() {
  Manifests m;
  for (const auto& entry : fs::directory_iterator(kDir)) {
    const std::string name = entry.path().filename().string();
    if (entry.path().extension() != ".yaml" || name == "kustomization.yaml") continue;
    for (const YAML::Node& doc : YAML::LoadAll(read_text(entry.path())))
      if (doc && !doc.IsNull()) m.by_file[name].push_back(doc);
  }
  return m;
}

std::map<std::string, std::string> string_map(const YAML::Node& node) {
  std::map<std::string, std::string> out;
  for (const auto& kv : node) out[kv.first.as<std::string>()] = kv.second.as<std::string>();
  return out;
}

// True when every label of `selector` is among `labels` with the same value.
bool selects(const YAML::Node& selector, const YAML::Node& labels) {
  const auto want = string_map(selector);
  const auto have = string_map(labels);
  for (const auto& [k, v] : want)
    if (!have.count(k) || have.at(k) != v) return false;
  return !want.empty();
}

YAML::Node gateway_container(const Manifests& m) {
  return m.get("Deployment", "sixlink-gateway")["spec"]["template"]["spec"]["containers"][0];
}

int container_port(const YAML::Node& container, const std::string& name) {
  for (const YAML::Node& p : container["ports"])
    if (p["name"].as<std::string>() == name) return p["containerPort"].as<int>();
  ADD_FAILURE() << "no container port named " << name;
  return 0;
}

// The ConfigMap's gateway.yaml, parsed.
YAML::Node configmap_gateway(const Manifests& m) {
  return YAML::Load(
      m.get("ConfigMap", "sixlink-gateway-config")["data"]["gateway.yaml"].as<std::string>());
}

// Every path under the Secret's mount point that the configuration names.
std::set<std::string> tls_files_named(const YAML::Node& config) {
  std::set<std::string> out;
  auto take = [&](const YAML::Node& n) {
    if (!n) return;
    const auto path = n.as<std::string>();
    if (path.rfind(kTlsMount, 0) == 0) out.insert(path.substr(kTlsMount.size()));
  };
  for (const char* key : {"cert", "key", "ca", "crl"}) take(config["gateway"]["tls"][key]);
  for (const YAML::Node& member : config["members"]) take(member["delivery"]["ca"]);
  return out;
}

// ============================== files ==============================

TEST(DeployKubernetes, EveryManifestParsesAndNamesNoNamespace) {
  const Manifests m = load_manifests();
  ASSERT_GE(m.by_file.size(), 6u);
  for (const auto& [file, docs] : m.by_file) {
    ASSERT_FALSE(docs.empty()) << file;
    for (const YAML::Node& d : docs) {
      EXPECT_TRUE(d["apiVersion"] && d["kind"] && d["metadata"]["name"]) << file;
      EXPECT_FALSE(d["metadata"]["namespace"]) << file << ": manifests are namespace-agnostic";
    }
  }
}

TEST(DeployKubernetes, KustomizationListsEveryManifestButTheSecretTemplate) {
  const YAML::Node k = YAML::Load(read_text(kDir / "kustomization.yaml"));
  std::set<std::string> listed;
  for (const YAML::Node& r : k["resources"]) listed.insert(r.as<std::string>());
  EXPECT_FALSE(k["namespace"]) << "the namespace is the installer's choice";
  for (const auto& [file, docs] : load_manifests().by_file) {
    if (file == "secret.example.yaml") {
      EXPECT_FALSE(listed.count(file)) << "applying the template would overwrite real keys";
    } else {
      EXPECT_TRUE(listed.count(file)) << file << " is not in kustomization.yaml";
    }
  }
  for (const std::string& r : listed) EXPECT_TRUE(fs::exists(kDir / r)) << r;
  EXPECT_EQ(k["images"][0]["name"].as<std::string>(),
            gateway_container(load_manifests())["image"].as<std::string>());
}

// ============================== Deployment ==============================

TEST(DeployKubernetes, DeploymentIsOneRecreatedReplicaWithProbesOnTheAdminPort) {
  const Manifests m = load_manifests();
  const YAML::Node spec = m.get("Deployment", "sixlink-gateway")["spec"];
  EXPECT_EQ(spec["replicas"].as<int>(), 1);
  EXPECT_EQ(spec["strategy"]["type"].as<std::string>(), "Recreate") << "SQLite has one writer";

  const YAML::Node c = gateway_container(m);
  EXPECT_EQ(c["readinessProbe"]["httpGet"]["path"].as<std::string>(), "/readyz");
  EXPECT_EQ(c["readinessProbe"]["httpGet"]["port"].as<std::string>(), "admin");
  EXPECT_EQ(c["livenessProbe"]["httpGet"]["path"].as<std::string>(), "/healthz");
  EXPECT_EQ(c["livenessProbe"]["httpGet"]["port"].as<std::string>(), "admin");
  EXPECT_EQ(container_port(c, "admin"), 9464);
  EXPECT_EQ(container_port(c, "partner"), 8443);

  // The configuration listens where the probes, Services and Prometheus knock.
  const YAML::Node config = configmap_gateway(m);
  EXPECT_EQ(config["gateway"]["admin_listen"].as<std::string>(),
            "0.0.0.0:" + std::to_string(container_port(c, "admin")))
      << "a loopback admin listener is unreachable for probes and scraping";
  EXPECT_EQ(config["gateway"]["listen"].as<std::string>(),
            "0.0.0.0:" + std::to_string(container_port(c, "partner")));
  EXPECT_EQ(config["gateway"]["data_dir"].as<std::string>(), "/var/lib/sixlink");
}

TEST(DeployKubernetes, DeploymentRunsUnprivilegedOnAReadOnlyRoot) {
  const Manifests m = load_manifests();
  const YAML::Node pod = m.get("Deployment", "sixlink-gateway")["spec"]["template"]["spec"];
  const YAML::Node c = gateway_container(m);
  EXPECT_TRUE(pod["securityContext"]["runAsNonRoot"].as<bool>());
  EXPECT_GT(pod["securityContext"]["runAsUser"].as<int>(), 0);
  EXPECT_TRUE(c["securityContext"]["runAsNonRoot"].as<bool>());
  EXPECT_TRUE(c["securityContext"]["readOnlyRootFilesystem"].as<bool>());
  EXPECT_FALSE(c["securityContext"]["allowPrivilegeEscalation"].as<bool>());
  ASSERT_TRUE(c["securityContext"]["capabilities"]["drop"].IsSequence());
  EXPECT_EQ(c["securityContext"]["capabilities"]["drop"][0].as<std::string>(), "ALL");
  EXPECT_FALSE(c["securityContext"]["capabilities"]["add"]);
  EXPECT_TRUE(c["resources"]["requests"]["cpu"] && c["resources"]["requests"]["memory"]);
  EXPECT_TRUE(c["resources"]["limits"]["memory"]);
  EXPECT_GT(pod["terminationGracePeriodSeconds"].as<int>(), 15) << "longer than the drain";
}

TEST(DeployKubernetes, DeploymentMountsTheConfigMapSecretAndClaimThatExist) {
  const Manifests m = load_manifests();
  const YAML::Node pod = m.get("Deployment", "sixlink-gateway")["spec"]["template"]["spec"];
  std::map<std::string, YAML::Node> volumes;
  for (const YAML::Node& v : pod["volumes"]) volumes[v["name"].as<std::string>()] = v;
  std::map<std::string, std::string> mounts;
  for (const YAML::Node& vm : gateway_container(m)["volumeMounts"])
    mounts[vm["name"].as<std::string>()] = vm["mountPath"].as<std::string>();

  m.get("ConfigMap", volumes["config"]["configMap"]["name"].as<std::string>());
  m.get("PersistentVolumeClaim",
        volumes["data"]["persistentVolumeClaim"]["claimName"].as<std::string>());
  EXPECT_EQ(volumes["tls"]["secret"]["secretName"].as<std::string>(), "sixlink-gateway-tls");
  m.get("Secret", "sixlink-gateway-tls");  // the template names the same Secret
  EXPECT_EQ(mounts["tls"] + "/", kTlsMount);
  EXPECT_EQ(mounts["data"], "/var/lib/sixlink");

  const YAML::Node args = gateway_container(m)["args"];
  ASSERT_EQ(args.size(), 3u);
  EXPECT_EQ(args[0].as<std::string>(), "serve");
  EXPECT_EQ(args[2].as<std::string>(), mounts["config"] + "/gateway.yaml");
  const YAML::Node pvc = m.get("PersistentVolumeClaim", "sixlink-gateway-data");
  EXPECT_EQ(pvc["spec"]["accessModes"][0].as<std::string>(), "ReadWriteOnce");
}

// ============================== Secret ==============================

TEST(DeployKubernetes, SecretTemplateHoldsPlaceholdersForEveryTlsFileAndNoKeyMaterial) {
  const std::string text = read_text(kDir / "secret.example.yaml");
  EXPECT_EQ(text.find("PRIVATE KEY"), std::string::npos);
  EXPECT_EQ(text.find("-----BEGIN"), std::string::npos);
  const Manifests m = load_manifests();
  const YAML::Node secret = m.get("Secret", "sixlink-gateway-tls");
  EXPECT_FALSE(secret["data"])
      << "base64 data could hide key material: use stringData placeholders";
  std::set<std::string> keys;
  for (const auto& kv : secret["stringData"]) {
    keys.insert(kv.first.as<std::string>());
    EXPECT_EQ(kv.second.as<std::string>().rfind("REPLACE", 0), 0u) << kv.first.as<std::string>();
  }
  EXPECT_EQ(keys, tls_files_named(configmap_gateway(m)))
      << "the Secret's keys and the files gateway.yaml reads under " << kTlsMount << " differ";
}

// ============================== Services and monitoring ==============================

TEST(DeployKubernetes, ServicesSelectThePodAndTargetItsNamedPorts) {
  const Manifests m = load_manifests();
  const YAML::Node pod_labels =
      m.get("Deployment", "sixlink-gateway")["spec"]["template"]["metadata"]["labels"];
  const YAML::Node c = gateway_container(m);
  const auto services = m.all("Service");
  ASSERT_EQ(services.size(), 2u);
  for (const YAML::Node& s : services) {
    EXPECT_TRUE(selects(s["spec"]["selector"], pod_labels))
        << s["metadata"]["name"].as<std::string>();
    for (const YAML::Node& p : s["spec"]["ports"])
      container_port(c, p["targetPort"].as<std::string>());
  }
  EXPECT_EQ(m.get("Service", "sixlink-gateway-admin")["spec"]["type"].as<std::string>(),
            "ClusterIP")
      << "the admin port has no authentication: keep it inside the cluster";
}

TEST(DeployKubernetes, ServiceMonitorScrapesMetricsOfTheAdminServiceOnly) {
  const Manifests m = load_manifests();
  const YAML::Node sm = m.get("ServiceMonitor", "sixlink-gateway");
  EXPECT_EQ(sm["apiVersion"].as<std::string>(), "monitoring.coreos.com/v1");
  std::vector<std::string> selected;
  for (const YAML::Node& s : m.all("Service"))
    if (selects(sm["spec"]["selector"]["matchLabels"], s["metadata"]["labels"]))
      selected.push_back(s["metadata"]["name"].as<std::string>());
  ASSERT_EQ(selected, std::vector<std::string>{"sixlink-gateway-admin"});
  const YAML::Node endpoint = sm["spec"]["endpoints"][0];
  EXPECT_EQ(endpoint["path"].as<std::string>(), "/metrics");
  bool port_found = false;
  for (const YAML::Node& p : m.get("Service", "sixlink-gateway-admin")["spec"]["ports"])
    port_found = port_found || p["name"].as<std::string>() == endpoint["port"].as<std::string>();
  EXPECT_TRUE(port_found) << "the ServiceMonitor names a port the admin Service lacks";
}

TEST(DeployKubernetes, NetworkPolicyOpensTheAdminPortOnlyToChosenSources) {
  const Manifests m = load_manifests();
  const YAML::Node np = m.get("NetworkPolicy", "sixlink-gateway");
  EXPECT_TRUE(
      selects(np["spec"]["podSelector"]["matchLabels"],
              m.get("Deployment", "sixlink-gateway")["spec"]["template"]["metadata"]["labels"]));
  for (const YAML::Node& rule : np["spec"]["ingress"])
    for (const YAML::Node& p : rule["ports"])
      if (p["port"].as<int>() == 9464) {
        EXPECT_TRUE(rule["from"]) << "admin port open to everyone";
      }
}

// ============================== the configuration itself ==============================

// The ConfigMap's files as the pod sees them, with a test PKI where the Secret is mounted:
// the configuration and policy must load exactly as `serve` would load them.
TEST(DeployKubernetes, ConfigMapConfigurationAndPolicyLoad) {
  const Manifests m = load_manifests();
  const YAML::Node data = m.get("ConfigMap", "sixlink-gateway-config")["data"];
  testing::TempDir dir("sixlink-deploy-");
  const fs::path config_dir = fs::path(dir.path()) / "config";
  const fs::path tls_dir = fs::path(dir.path()) / "tls";
  fs::create_directories(config_dir);
  testing::TestPki pki(tls_dir.string());
  pki.issue("gateway", {"gateway.sixlink.local"});
  pki.write_crl({});
  const YAML::Node config = configmap_gateway(m);
  for (const std::string& file : tls_files_named(config))
    if (!fs::exists(tls_dir / file)) fs::copy_file(pki.ca_cert(), tls_dir / file);

  std::string text =
      replace_all(data["gateway.yaml"].as<std::string>(), kTlsMount, tls_dir.string() + "/");
  text = replace_all(text, "/var/lib/sixlink", (fs::path(dir.path()) / "data").string());
  write_text(config_dir / "gateway.yaml", text);
  write_text(config_dir / "six-link.yaml", data["six-link.yaml"].as<std::string>());

  ConfigLoadResult loaded = load_config((config_dir / "gateway.yaml").string());
  for (const ConfigError& e : loaded.errors) ADD_FAILURE() << e;
  ASSERT_TRUE(loaded.config);
  EXPECT_EQ(loaded.config->members.size(), 4u);
  EXPECT_EQ(loaded.config->admin_listen.host, "0.0.0.0");
  PolicyLoadResult policy = load_policy(*loaded.config);
  for (const ConfigError& e : policy.errors) ADD_FAILURE() << e;
  EXPECT_TRUE(policy.policy);
}

TEST(DeployKubernetes, ConfigMapPolicySaysWhatTheShippedPolicySays) {
  const YAML::Node data = load_manifests().get("ConfigMap", "sixlink-gateway-config")["data"];
  const fs::path shipped = fs::path(SIXLINK_SOURCE_DIR) / "policies" / "six-link.yaml";
  // Compared as YAML (comments and layout aside): copy the file into configmap.yaml again
  // when the shipped policy changes.
  EXPECT_EQ(YAML::Dump(YAML::Load(data["six-link.yaml"].as<std::string>())),
            YAML::Dump(YAML::Load(read_text(shipped))))
      << "deploy/kubernetes/configmap.yaml's six-link.yaml differs from policies/six-link.yaml";
}

TEST(DeployKubernetes, ConfigMapMembersMatchTheTaicangExample) {
  const YAML::Node k8s = configmap_gateway(load_manifests());
  const YAML::Node host =
      YAML::Load(read_text(fs::path(SIXLINK_SOURCE_DIR) / "deploy" / "taicang" / "gateway.yaml"));
  ASSERT_EQ(k8s["members"].size(), host["members"].size());
  for (std::size_t i = 0; i < host["members"].size(); ++i) {
    for (const char* key : {"id", "identity", "adapter", "region_code"})
      EXPECT_EQ(k8s["members"][i][key].as<std::string>(), host["members"][i][key].as<std::string>())
          << "members[" << i << "]." << key;
    EXPECT_EQ(k8s["members"][i]["delivery"]["mode"].as<std::string>(),
              host["members"][i]["delivery"]["mode"].as<std::string>());
  }
}

}  // namespace
}  // namespace sixlink
