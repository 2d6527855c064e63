package dev.deepgramagent.it;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Grafana dashboards in dashboards/: their queries, and the structure Grafana's import needs. */
final class Dashboards {

    static final List<String> FILES = List.of("deepgram-agent-overview.json", "deepgram-agent-drilldown.json");

    record Query(String where, String promql) {
    }

    private Dashboards() {
    }

    static JsonNode read(String file) throws Exception {
        return PrometheusServer.JSON.readTree(Files.readString(MetricsEndToEndTest.ROOT.resolve("dashboards").resolve(file)));
    }

    /** Every panel target's expression, with Grafana's variables replaced by "all" and fixed ranges. */
    static List<Query> queries() throws Exception {
        return queries(".*");
    }

    /** The same, with the library variable set to {@code library}. */
    static List<Query> queries(String library) throws Exception {
        return queries(library, ".*", ".*");
    }

    /** The same, with the library, namespace and pod variables set. */
    static List<Query> queries(String library, String namespace, String pod) throws Exception {
        List<Query> out = new ArrayList<>();
        for (String file : FILES) {
            for (JsonNode panel : read(file).path("panels")) {
                for (JsonNode target : panel.path("targets")) {
                    String expr = target.path("expr").asText()
                            .replace("$__rate_interval", "1m")
                            .replace("$__range", "1h")
                            .replace("$namespace", namespace)
                            .replace("$pod", pod)
                            .replace("$job", ".*")
                            .replace("$instance", ".*")
                            .replace("$library", library);
                    out.add(new Query(file + " / " + panel.path("title").asText() + " / " + target.path("refId").asText(), expr));
                }
            }
        }
        return out;
    }

    /** What an import into Grafana 10/11 relies on, and what SREs rely on when it looks bad. */
    static void checkStructure() throws Exception {
        Set<String> uids = new HashSet<>();
        for (String file : FILES) {
            JsonNode d = read(file);
            assertTrue(uids.add(d.path("uid").asText()), file + ": uid must be stable and unique");
            assertTrue(d.path("uid").asText().startsWith("deepgram-agent-"), file);
            assertEquals("DS_PROMETHEUS", d.path("__inputs").get(0).path("name").asText(), file);
            Set<String> variables = new HashSet<>();
            for (JsonNode v : d.path("templating").path("list")) {
                variables.add(v.path("name").asText());
                if (v.path("name").asText().equals("datasource")) {
                    assertEquals("datasource", v.path("type").asText());
                    assertEquals("prometheus", v.path("query").asText());
                }
            }
            // job/instance for any Prometheus, namespace/pod for the Prometheus Operator's targets (All covers both).
            assertTrue(variables.containsAll(Set.of("datasource", "namespace", "pod", "job", "instance")), file + ": " + variables);
            Set<Integer> ids = new HashSet<>();
            for (JsonNode panel : d.path("panels")) {
                String title = file + " / " + panel.path("title").asText();
                assertTrue(ids.add(panel.path("id").asInt()), title + ": duplicate id");
                assertTrue(panel.path("description").asText().length() > 40, title + ": the description says what to do");
                assertTrue(panel.has("gridPos"), title);
                assertEquals("${datasource}", panel.path("datasource").path("uid").asText(), title + ": no hard-coded datasource");
                assertFalse(panel.path("targets").isEmpty(), title);
                for (JsonNode t : panel.path("targets")) {
                    assertEquals("${datasource}", t.path("datasource").path("uid").asText(), title);
                }
            }
            // No hard-coded datasource uid anywhere: only the variable, or Grafana's built-in annotations.
            for (JsonNode uid : d.findValues("uid")) {
                if (uid.isTextual() && !uid.asText().equals(d.path("uid").asText())) {
                    assertTrue(uid.asText().equals("${datasource}") || uid.asText().equals("-- Grafana --"), file + ": uid " + uid);
                }
            }
        }
    }
}
