package dev.deepgramagent.it;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.openshift.api.model.monitoring.v1.PodMonitor;
import io.fabric8.openshift.api.model.monitoring.v1.PrometheusRule;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every object under dashboards/kubernetes, read strictly into fabric8's Kubernetes and Prometheus
 * Operator models: a misspelt or misplaced field (which the models keep aside as "additional
 * properties") fails. The generated ones must be what the build generates from the rules and the dashboards.
 */
class ManifestsTest {

    static final Path ROOT = Path.of(System.getProperty("project.root", ".."));
    static final ObjectMapper MAPPER = new ObjectMapper(new YAMLFactory());
    static final Map<String, Class<?>> KINDS = Map.of(
            "PodMonitor", PodMonitor.class, "ServiceMonitor", ServiceMonitor.class, "PrometheusRule", PrometheusRule.class,
            "ConfigMap", ConfigMap.class, "Service", Service.class, "Deployment", Deployment.class);

    static List<JsonNode> documents(Path file) throws Exception {
        List<JsonNode> docs = new ArrayList<>();
        try (JsonParser parser = MAPPER.getFactory().createParser(file.toFile());
             MappingIterator<JsonNode> it = MAPPER.readValues(parser, JsonNode.class)) {
            while (it.hasNext()) {
                JsonNode doc = it.next();
                if (doc != null && !doc.isNull() && !doc.isEmpty()) {
                    docs.add(doc);
                }
            }
        }
        return docs;
    }

    static List<Path> manifests() throws Exception {
        try (Stream<Path> files = Files.list(ROOT.resolve(KubernetesManifests.DIR))) {
            return files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
    }

    @Test
    void everyObjectDeserialisesStrictly() throws Exception {
        List<String> problems = new ArrayList<>();
        int objects = 0;
        for (Path file : manifests()) {
            for (JsonNode doc : documents(file)) {
                String kind = doc.path("kind").asText();
                Class<?> type = KINDS.get(kind);
                if (type == null) {
                    problems.add(file.getFileName() + ": no model for kind '" + kind + "'");
                    continue;
                }
                // Kubernetes rejects a label or annotation that is not a string ("1" written as 1, say);
                // Jackson would quietly convert it, so check the YAML itself.
                for (JsonNode labels : doc.findValues("labels")) {
                    labels.fields().forEachRemaining(e -> {
                        if (!e.getValue().isTextual() && !labels.isArray()) {
                            problems.add(file.getFileName() + ": " + kind + ": label " + e.getKey() + " is not a string");
                        }
                    });
                }
                Object model = MAPPER.treeToValue(doc, type);
                unknownFields(model, file.getFileName() + ": " + kind, problems);
                objects++;
            }
        }
        assertEquals(List.of(), problems);
        assertEquals(7, objects, "PodMonitor, Service and ServiceMonitor, PrometheusRule, two ConfigMaps, the Deployment patch");
    }

    /** fabric8's models keep what they do not know in additionalProperties: there must be none, anywhere. */
    private static void unknownFields(Object model, String path, List<String> problems) throws Exception {
        if (model == null) {
            return;
        }
        if (model instanceof Collection) {
            int i = 0;
            for (Object item : (Collection<?>) model) {
                unknownFields(item, path + "[" + i++ + "]", problems);
            }
            return;
        }
        if (model instanceof Map) {
            for (Map.Entry<?, ?> e : ((Map<?, ?>) model).entrySet()) {
                unknownFields(e.getValue(), path + "." + e.getKey(), problems);
            }
            return;
        }
        if (!model.getClass().getName().startsWith("io.fabric8.")) {
            return;
        }
        for (Method m : model.getClass().getMethods()) {
            if (m.getParameterCount() != 0 || Modifier.isStatic(m.getModifiers()) || !m.getName().startsWith("get")
                    || m.getDeclaringClass() == Object.class) {
                continue;
            }
            Object value = m.invoke(model);
            if (m.getName().equals("getAdditionalProperties")) {
                if (value instanceof Map && !((Map<?, ?>) value).isEmpty()) {
                    problems.add(path + ": unknown field(s) " + ((Map<?, ?>) value).keySet());
                }
            } else if (value != null && (value instanceof Collection || value instanceof Map
                    || value.getClass().getName().startsWith("io.fabric8."))) {
                unknownFields(value, path + "." + m.getName().substring(3), problems);
            }
        }
    }

    @Test
    void theGeneratedObjectsAreUpToDate() throws Exception {
        assertEquals(KubernetesManifests.prometheusRule(ROOT),
                Files.readString(ROOT.resolve(KubernetesManifests.PROMETHEUS_RULE), StandardCharsets.UTF_8),
                "prometheusrule.yaml is generated from the rules file by the build: rebuild agent-it");
        assertEquals(KubernetesManifests.dashboards(ROOT),
                Files.readString(ROOT.resolve(KubernetesManifests.DASHBOARDS), StandardCharsets.UTF_8),
                "grafana-dashboards.yaml is generated from the dashboards by the build: rebuild agent-it");
    }

    @Test
    void thePrometheusRulesGroupsAreTheRulesFilesAndPassPromtool() throws Exception {
        JsonNode rule = documents(ROOT.resolve(KubernetesManifests.PROMETHEUS_RULE)).get(0);
        JsonNode file = MAPPER.readTree(ROOT.resolve(KubernetesManifests.RULES).toFile());
        assertEquals(file.get("groups"), rule.path("spec").get("groups"));
        Path extracted = Files.createTempFile("prometheusrule-groups", ".yml");
        try {
            MAPPER.writeValue(extracted.toFile(), MAPPER.createObjectNode().set("groups", rule.path("spec").get("groups")));
            Process p = new ProcessBuilder(PrometheusServer.binary("promtool"), "check", "rules", extracted.toString())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), "promtool check rules:\n" + out);
        } finally {
            Files.deleteIfExists(extracted);
        }
    }

    @Test
    void theDashboardsConfigMapsCarryTheSidecarLabelAndTheDashboards() throws Exception {
        List<JsonNode> maps = documents(ROOT.resolve(KubernetesManifests.DASHBOARDS));
        assertEquals(KubernetesManifests.DASHBOARD_FILES.size(), maps.size());
        for (int i = 0; i < maps.size(); i++) {
            ConfigMap map = MAPPER.treeToValue(maps.get(i), ConfigMap.class);
            assertEquals("1", map.getMetadata().getLabels().get("grafana_dashboard"));
            String file = KubernetesManifests.DASHBOARD_FILES.get(i);
            assertEquals(Files.readString(ROOT.resolve("dashboards").resolve(file), StandardCharsets.UTF_8), map.getData().get(file));
        }
    }

    @Test
    void theInjectionRecipeLoadsTheAgentAndNamesThePortTheMonitorsScrape() throws Exception {
        Deployment patch = MAPPER.treeToValue(documents(ROOT.resolve(KubernetesManifests.DIR + "/deployment-patch.yaml")).get(0),
                Deployment.class);
        var pod = patch.getSpec().getTemplate();
        assertEquals("true", pod.getMetadata().getLabels().get("deepgram-agent/enabled"));
        var container = pod.getSpec().getContainers().get(0);
        var toolOptions = container.getEnv().stream().filter(e -> e.getName().equals("JAVA_TOOL_OPTIONS")).findFirst().orElseThrow();
        assertTrue(toolOptions.getValue().startsWith("-javaagent:" + container.getVolumeMounts().get(0).getMountPath() + "/deepgram-agent.jar"),
                toolOptions.getValue());
        assertTrue(container.getEnv().stream().filter(e -> !e.getName().equals("JAVA_TOOL_OPTIONS"))
                .allMatch(e -> e.getName().startsWith("DEEPGRAM_AGENT_")));
        assertEquals("dg-agent", container.getPorts().get(0).getName());
        PodMonitor monitor = MAPPER.treeToValue(documents(ROOT.resolve(KubernetesManifests.DIR + "/podmonitor.yaml")).get(0), PodMonitor.class);
        assertEquals("dg-agent", monitor.getSpec().getPodMetricsEndpoints().get(0).getPort());
        assertNotNull(pod.getSpec().getInitContainers().get(0).getImage());
        assertFalse(pod.getSpec().getVolumes().isEmpty());
    }
}
