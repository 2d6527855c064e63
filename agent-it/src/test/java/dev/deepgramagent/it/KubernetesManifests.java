package dev.deepgramagent.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The Kubernetes objects derived from the monitoring assets, so that they never differ from them:
 * the PrometheusRule from dashboards/deepgram-agent-rules.yml, and the Grafana dashboards as
 * ConfigMaps for Grafana's dashboard sidecar. agent-it's build runs {@link #main} (process-test-classes);
 * {@code ManifestsTest} fails when the committed files are not what this writes.
 */
public final class KubernetesManifests {

    static final String RULES = "dashboards/deepgram-agent-rules.yml";
    static final String DIR = "dashboards/kubernetes";
    static final String PROMETHEUS_RULE = DIR + "/prometheusrule.yaml";
    static final String DASHBOARDS = DIR + "/grafana-dashboards.yaml";
    static final List<String> DASHBOARD_FILES = List.of("deepgram-agent-overview.json", "deepgram-agent-drilldown.json");

    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS) // a label value "1" must stay a string
            .enable(YAMLGenerator.Feature.LITERAL_BLOCK_STYLE));

    private KubernetesManifests() {
    }

    /** Writes both files under {@code args[0]}, the repository's root. */
    public static void main(String[] args) throws IOException {
        Path root = Path.of(args[0]);
        Files.writeString(root.resolve(PROMETHEUS_RULE), prometheusRule(root), StandardCharsets.UTF_8);
        Files.writeString(root.resolve(DASHBOARDS), dashboards(root), StandardCharsets.UTF_8);
    }

    static String prometheusRule(Path root) throws IOException {
        JsonNode rules = YAML.readTree(root.resolve(RULES).toFile());
        ObjectNode rule = YAML.createObjectNode();
        rule.put("apiVersion", "monitoring.coreos.com/v1");
        rule.put("kind", "PrometheusRule");
        ObjectNode metadata = rule.putObject("metadata");
        metadata.put("name", "deepgram-agent");
        metadata.putObject("labels").put("app.kubernetes.io/name", "deepgram-agent");
        rule.putObject("spec").set("groups", rules.get("groups"));
        return "# Generated from " + RULES + " by agent-it's build (KubernetesManifests): edit that file, not this one.\n"
                + "# Add the label your Prometheus' ruleSelector asks for, if any.\n"
                + YAML.writeValueAsString(rule);
    }

    static String dashboards(Path root) throws IOException {
        StringBuilder out = new StringBuilder("# Generated from dashboards/*.json by agent-it's build (KubernetesManifests).\n"
                + "# Grafana's dashboard sidecar (grafana_dashboard=\"1\", the Helm chart's default) loads them.\n");
        for (String file : DASHBOARD_FILES) {
            ObjectNode map = YAML.createObjectNode();
            map.put("apiVersion", "v1");
            map.put("kind", "ConfigMap");
            ObjectNode metadata = map.putObject("metadata");
            metadata.put("name", file.replace(".json", ""));
            ObjectNode labels = metadata.putObject("labels");
            labels.put("app.kubernetes.io/name", "deepgram-agent");
            labels.put("grafana_dashboard", "1");
            map.putObject("data").put(file, Files.readString(root.resolve("dashboards").resolve(file), StandardCharsets.UTF_8));
            out.append("---\n").append(YAML.writeValueAsString(map));
        }
        return out.toString();
    }
}
