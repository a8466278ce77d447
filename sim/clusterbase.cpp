// SPDX-License-Identifier: Apache-2.0
#include "clusterbase.h"

#include "names.h"
#include "podparts.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace cw::sim {

namespace {

struct InstanceType
{
    const char *name;
    const char *cpu;
    const char *cpuAllocatable;
    const char *memory;
    const char *memoryAllocatable;
};

constexpr InstanceType kInstanceTypes[] = {
    {"m6i.xlarge", "4", "3920m", "16073076Ki", "15056244Ki"},
    {"m6i.2xlarge", "8", "7910m", "32598764Ki", "31581932Ki"},
    {"c6i.4xlarge", "16", "15890m", "32598764Ki", "31581932Ki"},
};

QJsonObject meta(const QString &name, const QString &ns, qint64 createdMs)
{
    QJsonObject m{{"name"_L1, name}, {"creationTimestamp"_L1, formatTime(createdMs)}};
    if (!ns.isEmpty())
        m.insert("namespace"_L1, ns);
    return m;
}

QJsonObject nodeCondition(const char *type, bool status, const char *reason, const char *message,
                          const QString &heartbeat, const QString &since)
{
    return {{"type"_L1, QString::fromLatin1(type)},     {"status"_L1, status ? u"True"_s : u"False"_s},
            {"lastHeartbeatTime"_L1, heartbeat},        {"lastTransitionTime"_L1, since},
            {"reason"_L1, QString::fromLatin1(reason)}, {"message"_L1, QString::fromLatin1(message)}};
}

} // namespace

QJsonObject namespaceFor(const QString &name, qint64 createdMs)
{
    QJsonObject m = meta(name, {}, createdMs);
    m.insert("labels"_L1, QJsonObject{{"kubernetes.io/metadata.name"_L1, name}});
    return {{"metadata"_L1, m},
            {"spec"_L1, QJsonObject{{"finalizers"_L1, QJsonArray{u"kubernetes"_s}}}},
            {"status"_L1, QJsonObject{{"phase"_L1, u"Active"_s}}}};
}

QJsonObject nodeFor(const NodeSpec &node, const QStringList &images, QRandomGenerator &rng, qint64 createdMs,
                    qint64 nowMs)
{
    const InstanceType &type = kInstanceTypes[node.controlPlane ? 0 : 1 + rng.bounded(2)];
    const QString zone = u"eu-west-1"_s + QLatin1Char(char('a' + node.index % 3));
    QJsonObject labels{{"beta.kubernetes.io/arch"_L1, u"amd64"_s},
                       {"beta.kubernetes.io/instance-type"_L1, QString::fromLatin1(type.name)},
                       {"beta.kubernetes.io/os"_L1, u"linux"_s},
                       {"kubernetes.io/arch"_L1, u"amd64"_s},
                       {"kubernetes.io/hostname"_L1, node.name},
                       {"kubernetes.io/os"_L1, u"linux"_s},
                       {"node.kubernetes.io/instance-type"_L1, QString::fromLatin1(type.name)},
                       {"topology.kubernetes.io/region"_L1, u"eu-west-1"_s},
                       {"topology.kubernetes.io/zone"_L1, zone}};
    QJsonObject spec{{"podCIDR"_L1, node.podCidr},
                     {"podCIDRs"_L1, QJsonArray{node.podCidr}},
                     {"providerID"_L1, QString(u"aws:///"_s + zone + u"/i-0"_s + randomHex(rng, 16))}};
    if (node.controlPlane) {
        labels.insert("node-role.kubernetes.io/control-plane"_L1, QString());
        labels.insert("node.kubernetes.io/exclude-from-external-load-balancers"_L1, QString());
        spec.insert("taints"_L1,
                    QJsonArray{QJsonObject{{"key"_L1, u"node-role.kubernetes.io/control-plane"_s},
                                           {"effect"_L1, u"NoSchedule"_s}}});
    }
    QJsonObject m = meta(node.name, {}, createdMs);
    m.insert("labels"_L1, labels);
    m.insert("annotations"_L1,
             QJsonObject{
                 {"kubeadm.alpha.kubernetes.io/cri-socket"_L1, u"unix:///run/containerd/containerd.sock"_s},
                 {"node.alpha.kubernetes.io/ttl"_L1, u"0"_s},
                 {"volumes.kubernetes.io/controller-managed-attach-detach"_L1, u"true"_s}});

    const QString pods = QString::number(node.maxPods);
    const QJsonObject capacity{{"cpu"_L1, QString::fromLatin1(type.cpu)},
                               {"ephemeral-storage"_L1, u"101430960Ki"_s},
                               {"hugepages-1Gi"_L1, u"0"_s},
                               {"hugepages-2Mi"_L1, u"0"_s},
                               {"memory"_L1, QString::fromLatin1(type.memory)},
                               {"pods"_L1, pods}};
    const QJsonObject allocatable{{"cpu"_L1, QString::fromLatin1(type.cpuAllocatable)},
                                  {"ephemeral-storage"_L1, u"93478772582"_s},
                                  {"hugepages-1Gi"_L1, u"0"_s},
                                  {"hugepages-2Mi"_L1, u"0"_s},
                                  {"memory"_L1, QString::fromLatin1(type.memoryAllocatable)},
                                  {"pods"_L1, pods}};
    // Heartbeats every 5 minutes (the Lease carries the fast ones), so the last one is a little while ago.
    const QString heartbeat = formatTime(nowMs - rng.bounded(300'000));
    const QString since = formatTime(createdMs + 30'000);
    const QJsonArray conditions{
        nodeCondition("MemoryPressure", false, "KubeletHasSufficientMemory",
                      "kubelet has sufficient memory available", heartbeat, since),
        nodeCondition("DiskPressure", false, "KubeletHasNoDiskPressure", "kubelet has no disk pressure",
                      heartbeat, since),
        nodeCondition("PIDPressure", false, "KubeletHasSufficientPID", "kubelet has sufficient PID available",
                      heartbeat, since),
        nodeCondition("Ready", true, "KubeletReady", "kubelet is posting ready status", heartbeat, since)};
    QJsonArray imageList;
    for (const QString &image : images) {
        imageList.append(QJsonObject{{"names"_L1, QJsonArray{pods::imageId(image), pods::imageRef(image)}},
                                     {"sizeBytes"_L1, 5'000'000 + qint64(rng.bounded(400'000'000))}});
    }
    const QString version = QString::fromLatin1(kKubernetesVersion);
    const QJsonObject nodeInfo{{"architecture"_L1, u"amd64"_s},
                               {"bootID"_L1, randomUuid(rng)},
                               {"containerRuntimeVersion"_L1, u"containerd://1.7.22"_s},
                               {"kernelVersion"_L1, u"6.1.0-26-cloud-amd64"_s},
                               {"kubeProxyVersion"_L1, version},
                               {"kubeletVersion"_L1, version},
                               {"machineID"_L1, randomHex(rng, 32)},
                               {"operatingSystem"_L1, u"linux"_s},
                               {"osImage"_L1, u"Debian GNU/Linux 12 (bookworm)"_s},
                               {"systemUUID"_L1, randomUuid(rng).toUpper()}};
    const QJsonObject status{
        {"addresses"_L1,
         QJsonArray{QJsonObject{{"type"_L1, u"InternalIP"_s}, {"address"_L1, node.internalIP}},
                    QJsonObject{{"type"_L1, u"Hostname"_s}, {"address"_L1, node.name}}}},
        {"allocatable"_L1, allocatable},
        {"capacity"_L1, capacity},
        {"conditions"_L1, conditions},
        {"daemonEndpoints"_L1, QJsonObject{{"kubeletEndpoint"_L1, QJsonObject{{"Port"_L1, 10250}}}}},
        {"images"_L1, imageList},
        {"nodeInfo"_L1, nodeInfo}};
    return {{"metadata"_L1, m}, {"spec"_L1, spec}, {"status"_L1, status}};
}

QJsonObject kubeRootCaConfigMap(const QString &ns, const QByteArray &caPem, qint64 createdMs)
{
    QJsonObject m = meta(u"kube-root-ca.crt"_s, ns, createdMs);
    m.insert("annotations"_L1,
             QJsonObject{
                 {"kubernetes.io/description"_L1,
                  u"Contains a CA bundle that can be used to verify the kube-apiserver when using internal "
                  "endpoints such as the internal service IP or kubernetes.default.svc. No other usage is "
                  "guaranteed across distributions of Kubernetes clusters."_s}});
    return {{"metadata"_L1, m}, {"data"_L1, QJsonObject{{"ca.crt"_L1, QString::fromLatin1(caPem)}}}};
}

int systemConfigMapCount()
{
    return 6;
}

QJsonObject systemConfigMap(int index, const QByteArray &caPem, qint64 createdMs)
{
    const QString ca = base64(caPem);
    switch (index) {
    case 0:
        return {{"metadata"_L1, meta(u"coredns"_s, u"kube-system"_s, createdMs)},
                {"data"_L1,
                 QJsonObject{{"Corefile"_L1,
                              u".:53 {\n    errors\n    health {\n       lameduck 5s\n    }\n    ready\n"
                              "    kubernetes cluster.local in-addr.arpa ip6.arpa {\n       pods insecure\n"
                              "       fallthrough in-addr.arpa ip6.arpa\n       ttl 30\n    }\n"
                              "    prometheus :9153\n    forward . /etc/resolv.conf {\n"
                              "       max_concurrent 1000\n    }\n    cache 30\n    loop\n    reload\n"
                              "    loadbalance\n}\n"_s}}}};
    case 1:
        return {
            {"metadata"_L1, meta(u"kube-proxy"_s, u"kube-system"_s, createdMs)},
            {"data"_L1,
             QJsonObject{{"config.conf"_L1,
                          u"apiVersion: kubeproxy.config.k8s.io/v1alpha1\nbindAddress: 0.0.0.0\n"
                          "clientConnection:\n  kubeconfig: /var/lib/kube-proxy/kubeconfig.conf\n"
                          "clusterCIDR: 10.64.0.0/10\nkind: KubeProxyConfiguration\nmode: iptables\n"_s},
                         {"kubeconfig.conf"_L1,
                          u"apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n"
                          "    certificate-authority: /var/run/secrets/kubernetes.io/serviceaccount/ca.crt\n"
                          "    server: https://10.0.0.10:6443\n  name: default\n"_s}}}};
    case 2:
        return {
            {"metadata"_L1, meta(u"kubeadm-config"_s, u"kube-system"_s, createdMs)},
            {"data"_L1,
             QJsonObject{{"ClusterConfiguration"_L1,
                          QString(u"apiServer: {}\napiVersion: kubeadm.k8s.io/v1beta3\n"
                                  "certificatesDir: /etc/kubernetes/pki\nclusterName: clusterwatch-sim\n"
                                  "controlPlaneEndpoint: 10.0.0.10:6443\ndns: {}\netcd:\n  local:\n"
                                  "    dataDir: /var/lib/etcd\nimageRepository: registry.k8s.io\n"
                                  "kind: ClusterConfiguration\nkubernetesVersion: "_s +
                                  QString::fromLatin1(kKubernetesVersion) +
                                  u"\nnetworking:\n  dnsDomain: cluster.local\n  podSubnet: 10.64.0.0/10\n"
                                  "  serviceSubnet: 10.96.0.0/12\n"_s)}}}};
    case 3:
        return {{"metadata"_L1, meta(u"kubelet-config"_s, u"kube-system"_s, createdMs)},
                {"data"_L1,
                 QJsonObject{{"kubelet"_L1,
                              u"apiVersion: kubelet.config.k8s.io/v1beta1\nauthentication:\n  anonymous:\n"
                              "    enabled: false\n  webhook:\n    enabled: true\ncgroupDriver: systemd\n"
                              "clusterDNS:\n- 10.96.0.10\nclusterDomain: cluster.local\nkind: "
                              "KubeletConfiguration\nrotateCertificates: true\nstaticPodPath: "
                              "/etc/kubernetes/manifests\n"_s}}}};
    case 4:
        return {
            {"metadata"_L1, meta(u"cluster-info"_s, u"kube-public"_s, createdMs)},
            {"data"_L1,
             QJsonObject{
                 {"kubeconfig"_L1,
                  QString(u"apiVersion: v1\nclusters:\n- cluster:\n    certificate-authority-data: "_s + ca +
                          u"\n    server: https://10.0.0.10:6443\n  name: \"\"\n"
                          "contexts: null\ncurrent-context: \"\"\nkind: Config\n"
                          "preferences: {}\nusers: null\n"_s)}}}};
    default:
        return {{"metadata"_L1, meta(u"extension-apiserver-authentication"_s, u"kube-system"_s, createdMs)},
                {"data"_L1, QJsonObject{{"client-ca-file"_L1, QString::fromLatin1(caPem)},
                                        {"requestheader-allowed-names"_L1, u"[\"front-proxy-client\"]"_s},
                                        {"requestheader-client-ca-file"_L1, QString::fromLatin1(caPem)},
                                        {"requestheader-extra-headers-prefix"_L1, u"[\"X-Remote-Extra-\"]"_s},
                                        {"requestheader-group-headers"_L1, u"[\"X-Remote-Group\"]"_s},
                                        {"requestheader-username-headers"_L1, u"[\"X-Remote-User\"]"_s}}}};
    }
}

QJsonObject bootstrapTokenSecret(QRandomGenerator &rng, qint64 createdMs)
{
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    auto token = [&](int n) {
        QString s;
        for (int i = 0; i < n; ++i)
            s += QLatin1Char(alphabet[rng.bounded(36)]);
        return s;
    };
    const QString id = token(6);
    return {{"metadata"_L1, meta(u"bootstrap-token-"_s + id, u"kube-system"_s, createdMs)},
            {"type"_L1, u"bootstrap.kubernetes.io/token"_s},
            {"data"_L1,
             QJsonObject{{"auth-extra-groups"_L1, base64("system:bootstrappers:kubeadm:default-node-token")},
                         {"expiration"_L1, base64(formatTime(createdMs + 86'400'000).toLatin1())},
                         {"token-id"_L1, base64(id.toLatin1())},
                         {"token-secret"_L1, base64(token(16).toLatin1())},
                         {"usage-bootstrap-authentication"_L1, base64("true")},
                         {"usage-bootstrap-signing"_L1, base64("true")}}}};
}

QJsonObject kubernetesService(qint64 createdMs)
{
    QJsonObject m = meta(u"kubernetes"_s, u"default"_s, createdMs);
    m.insert("labels"_L1, QJsonObject{{"component"_L1, u"apiserver"_s}, {"provider"_L1, u"kubernetes"_s}});
    return {{"metadata"_L1, m},
            {"spec"_L1, QJsonObject{{"clusterIP"_L1, u"10.96.0.1"_s},
                                    {"clusterIPs"_L1, QJsonArray{u"10.96.0.1"_s}},
                                    {"internalTrafficPolicy"_L1, u"Cluster"_s},
                                    {"ipFamilies"_L1, QJsonArray{u"IPv4"_s}},
                                    {"ipFamilyPolicy"_L1, u"SingleStack"_s},
                                    {"ports"_L1, QJsonArray{QJsonObject{{"name"_L1, u"https"_s},
                                                                        {"port"_L1, 443},
                                                                        {"protocol"_L1, u"TCP"_s},
                                                                        {"targetPort"_L1, 6443}}}},
                                    {"sessionAffinity"_L1, u"None"_s},
                                    {"type"_L1, u"ClusterIP"_s}}},
            {"status"_L1, QJsonObject{{"loadBalancer"_L1, QJsonObject()}}}};
}

} // namespace cw::sim
