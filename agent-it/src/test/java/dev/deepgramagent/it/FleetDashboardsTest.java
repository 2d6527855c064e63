package dev.deepgramagent.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.deepgramagent.it.apps.MetricsScenarioApp;
import dev.deepgramagent.simulator.DeepgramSimulator;
import dev.deepgramagent.simulator.SimulatorOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dashboards and alerts on a fleet scraped the Prometheus Operator's way: three agent JVMs,
 * found by file-based discovery with namespace, pod and container labels, in a real Prometheus.
 * Every panel returns data for the fleet and for one pod, and every alert names its pod.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FleetDashboardsTest {

    static final List<String> PODS = List.of("stt-7d9f-a", "stt-7d9f-b", "stt-7d9f-c");

    DeepgramSimulator sim;
    final List<ForkedJvm.Running> apps = new ArrayList<>();
    PrometheusServer prometheus;

    @BeforeAll
    void runAFleet() throws Exception {
        sim = DeepgramSimulator.start(SimulatorOptions.defaults().latency(Duration.ofMillis(300)));
        Map<String, Map<String, String>> targets = new LinkedHashMap<>();
        for (String pod : PODS) {
            int port = ForkedJvm.freePort();
            apps.add(ForkedJvm.app(MetricsScenarioApp.class).stack("netty-4.1", "nv-websocket", "java-websocket", "jetty", "tyrus")
                    .withAgent("hosts=127.0.0.1,metrics.host=127.0.0.1,metrics.port=" + port
                            + ",keepalive.interval=1s,server.idle.window=2s,log.sessions=none")
                    .args(sim.listenUrl() + Streaming.AUDIO, sim.fluxUrl() + FluxTest.FLUX_QUERY).start());
            targets.put("127.0.0.1:" + port, Map.of("namespace", "voice", "pod", pod, "container", "app"));
        }
        for (ForkedJvm.Running app : apps) {
            app.awaitStdout(s -> s.contains("READY"), 60);
        }
        prometheus = PrometheusServer.startDiscovering(targets, MetricsEndToEndTest.RULES);
        PrometheusServer.Poll.until(() -> value("count(deepgram_agent_info{namespace=\"voice\"})") == PODS.size()
                && value("sum(deepgram_agent_sessions_ended_total)") == 0, 60, "Prometheus scraped the three agents' zero values");
        for (ForkedJvm.Running app : apps) {
            app.send("start");
        }
        for (ForkedJvm.Running app : apps) {
            app.awaitStdout(s -> s.contains("SCENARIOS DONE"), 180);
        }
        PrometheusServer.Poll.until(() -> value("sum(deepgram_agent_sessions_ended_total)") == PODS.size() * MetricsEndToEndTest.SESSIONS,
                60, "Prometheus has scraped every session end of the fleet");
        PrometheusServer.Poll.until(() -> firingPods().size() == PODS.size(), 60, "alerts fire for every pod");
    }

    @AfterAll
    void stop() throws Exception {
        for (ForkedJvm.Running app : apps) {
            app.send("exit");
            app.awaitExit(30);
        }
        if (prometheus != null) {
            prometheus.close();
        }
        if (sim != null) {
            sim.close();
        }
    }

    private double value(String promql) {
        return prometheus.valueOrNaN(promql);
    }

    private List<String> firingPods() {
        List<String> pods = new ArrayList<>();
        try {
            for (JsonNode a : prometheus.alerts()) {
                String pod = a.path("labels").path("pod").asText();
                if ("firing".equals(a.path("state").asText()) && !pods.contains(pod)) {
                    pods.add(pod);
                }
            }
        } catch (Exception e) {
            // not yet
        }
        return pods;
    }

    @Test
    void everyPanelReturnsDataForTheFleetAndForOnePod() throws Exception {
        List<String> problems = new ArrayList<>();
        for (Dashboards.Query q : Dashboards.queries(".*", ".*", ".*")) {
            if (prometheus.query(q.promql()).isEmpty()) {
                problems.add("fleet: " + q.where());
            }
        }
        for (Dashboards.Query q : Dashboards.queries(".*", "voice", PODS.get(1))) {
            JsonNode result = prometheus.query(q.promql());
            if (result.isEmpty()) {
                problems.add(PODS.get(1) + ": " + q.where());
            }
            for (JsonNode series : result) {
                String pod = series.path("metric").path("pod").asText();
                if (!pod.isEmpty() && !pod.equals(PODS.get(1))) {
                    problems.add(PODS.get(1) + ": " + q.where() + " shows " + pod);
                }
            }
        }
        assertEquals(List.of(), problems);
    }

    @Test
    void everyAlertNamesItsPod() throws Exception {
        JsonNode alerts = prometheus.alerts();
        assertFalse(alerts.isEmpty());
        for (JsonNode a : alerts) {
            String pod = a.path("labels").path("pod").asText();
            assertTrue(PODS.contains(pod), "alert without its pod: " + a);
            assertEquals("voice", a.path("labels").path("namespace").asText(), a.toString());
            assertTrue(a.path("annotations").path("summary").asText().startsWith("voice/" + pod + ": "), a.toString());
        }
        assertEquals(PODS.size(), firingPods().size());
    }

    @Test
    void theFleetAddsUpAcrossPods() throws Exception {
        assertEquals(PODS.size() * MetricsEndToEndTest.SESSIONS, value("sum(deepgram_agent_sessions_ended_total{namespace=\"voice\"})"), 1e-9);
        for (String pod : PODS) {
            assertEquals(MetricsEndToEndTest.SESSIONS, value("sum(deepgram_agent_sessions_ended_total{pod=\"" + pod + "\"})"), 1e-9, pod);
            assertFalse(prometheus.query("deepgram_agent:sessions_ended:rate5m{pod=\"" + pod + "\"}").isEmpty(),
                    "the recording rules keep the pod: " + pod);
        }
    }
}
