package dev.deepgramagent.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.deepgramagent.it.apps.MetricsScenarioApp;
import dev.deepgramagent.simulator.DeepgramSimulator;
import dev.deepgramagent.simulator.SimulatorOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real Prometheus scrapes a forked JVM whose agent watched a fixed set of sessions against the
 * simulator. Every dashboard panel and every rule is evaluated through Prometheus' API, and the
 * values are checked against what the sessions did.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetricsEndToEndTest {

    static final Path ROOT = Path.of(System.getProperty("project.root", ".."));
    static final Path RULES = ROOT.resolve("dashboards/deepgram-agent-rules.yml");

    /** What MetricsScenarioApp's sessions must produce. */
    static final Map<String, Integer> EXPECTED_ENDS = Map.of(
            "clean", 15, "server_idle_timeout", 2, "bad_audio", 1, "handshake_rate_limited", 1,
            "handshake_auth", 7, "server_processing_timeout", 1, "network_reset", 2, "message_rejected", 1, "handshake_rejected", 1);
    static final int SESSIONS = 31;
    static final Set<String> FIRING = Set.of("DeepgramAudioLost", "DeepgramIdleTimeouts", "DeepgramHandshakeAuthFailures",
            "DeepgramRateLimited", "DeepgramBadAudio", "DeepgramMessagesRejected", "DeepgramConfigureFailures");
    static final Set<String> SILENT = Set.of("DeepgramServerErrors", "DeepgramSlowFlushes", "DeepgramAgentInternalErrors",
            "DeepgramReconnectChurn");

    DeepgramSimulator sim;
    ForkedJvm.Running app;
    PrometheusServer prometheus;
    int metricsPort;
    String exposition;

    @BeforeAll
    void runScenariosAndScrape() throws Exception {
        sim = DeepgramSimulator.start(SimulatorOptions.defaults().latency(Duration.ofMillis(300)));
        metricsPort = ForkedJvm.freePort();
        app = ForkedJvm.app(MetricsScenarioApp.class).stack("netty-4.1", "nv-websocket", "java-websocket", "jetty", "tyrus")
                .withAgent("hosts=127.0.0.1,metrics.host=127.0.0.1,metrics.port=" + metricsPort + ",keepalive.interval=1s,server.idle.window=2s,log.format=json,log.sessions=all")
                .args(sim.listenUrl() + Streaming.AUDIO, sim.fluxUrl() + FluxTest.FLUX_QUERY).start();
        app.awaitStdout(s -> s.contains("READY"), 60);
        prometheus = PrometheusServer.start("127.0.0.1:" + metricsPort, RULES);
        // The first scrape records every series at 0, the baseline increase() and rate() need.
        PrometheusServer.Poll.until(() -> value("sum(deepgram_agent_sessions_ended_total)") == 0
                && value("count(deepgram_agent_info)") == 1, 60, "Prometheus scraped the agent's zero values");
        app.send("start");
        app.awaitStdout(s -> s.contains("SCENARIOS DONE"), 120);
        int total = EXPECTED_ENDS.values().stream().mapToInt(Integer::intValue).sum();
        PrometheusServer.Poll.until(() -> value("sum(deepgram_agent_sessions_ended_total)") == total, 60,
                "Prometheus has scraped all " + total + " session ends");
        // Rules evaluate on their own interval: wait until the group has seen the last session's end.
        PrometheusServer.Poll.until(() -> !safeQuery("deepgram_agent:sessions_ended:rate5m").isEmpty()
                && safeQuery("ALERTS{alertstate=\"firing\"}").size() >= FIRING.size(), 60, "recording rules and alerts evaluated");
        exposition = scrape();
    }

    @AfterAll
    void stop() throws Exception {
        if (app != null) {
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

    private JsonNode safeQuery(String promql) {
        try {
            return prometheus.query(promql);
        } catch (Exception e) {
            return PrometheusServer.JSON.createArrayNode();
        }
    }

    private String scrape() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        return r.body();
    }

    @Test
    void expositionPassesPromtool() throws Exception {
        Process p = new ProcessBuilder(PrometheusServer.binary("promtool"), "check", "metrics").redirectErrorStream(true).start();
        p.getOutputStream().write(exposition.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), "promtool check metrics:\n" + out);
    }

    @Test
    void valuesMatchWhatTheSessionsDid() throws Exception {
        for (Map.Entry<String, Integer> e : EXPECTED_ENDS.entrySet()) {
            assertEquals(e.getValue(), value("sum(deepgram_agent_sessions_ended_total{root_cause=\"" + e.getKey() + "\"})"), 1e-9, e.getKey());
        }
        assertEquals(0, value("sum(deepgram_agent_sessions_ended_total{root_cause=\"client_close_unflushed\"})"), 1e-9);
        assertEquals(3, value("sum(deepgram_agent_sessions_ended_total{endpoint=\"/v2/listen\"})"), 1e-9, "the Flux sessions");
        assertEquals(2, value("sum(deepgram_agent_sessions_ended_total{endpoint=\"/v2/listen\",root_cause=\"clean\"})"), 1e-9,
                "Flux's CloseStream end (a close without status code) and the rescued mid-turn close are clean");
        assertEquals(22, value("sum(deepgram_agent_sessions_opened_total)"), 1e-9, "handshakes that succeeded");
        assertEquals(3, value("sum(deepgram_agent_sessions_opened_total{endpoint=\"/v2/listen\"})"), 1e-9);
        assertEquals(0, value("sum(deepgram_agent_sessions_active)"), 1e-9);
        assertEquals(8, value("sum(deepgram_agent_messages_injected_total{type=\"finalize\"})"), 1e-9, "one Finalize per v1 rescue");
        assertEquals(1, value("sum(deepgram_agent_messages_injected_total{type=\"forceendturn\"})"), 1e-9, "one ForceEndTurn, for the Flux rescue");
        assertTrue(value("sum(deepgram_agent_messages_injected_total{type=\"keepalive\"})") >= 2, "KeepAlive bridged the pause");
        // The clients of the stacks (nv-websocket, Java-WebSocket, Jetty, Tyrus) queue the burst for their own writer threads
        // (Tyrus's blocking sends wait for each write): some results may arrive before the app's close, so only part of
        // the 1.5 s is the agent's to rescue (checked below).
        assertEquals(6.5, value("sum(deepgram_agent_audio_rescued_seconds_total{library!~\"nv-websocket|java-websocket|jetty|jakarta\"})"), 1e-6,
                "4 v1 rescues x 1.5 s, one Flux turn of 0.5 s");
        // With the agent active the only audio lost is the frame Deepgram refused as undecodable and the
        // Flux session closed over the app's KeepAlive.
        // (within Deepgram's 1 ms rounding of result times: the 44-byte WAV header is 1.375 ms of "audio")
        assertEquals(0.12, value("sum(deepgram_agent_audio_lost_seconds_total)"), 1e-3);
        // 17.62 s of chunks, plus the 44-byte WAV header read as 16 kHz mono linear16.
        assertEquals(17.62 + 44 / 32000.0, value("sum(deepgram_agent_audio_sent_seconds_total)"), 1e-6);
        assertEquals(17.62 * 32000 + 44, value("sum(deepgram_agent_audio_sent_bytes_total)"), 1e-3);
        assertEquals(1, value("sum(deepgram_agent_handshake_failures_total{status=\"429\"})"), 1e-9);
        assertEquals(7, value("sum(deepgram_agent_handshake_failures_total{status=\"401\"})"), 1e-9);
        assertEquals(SESSIONS, value("sum(deepgram_agent_session_duration_seconds_count)"), 1e-9);
        assertEquals(1, value("sum(deepgram_agent_sessions_reconnected_total)"), 1e-9, "one reconnect; the fresh client is none");
        assertEquals(1, value("sum(deepgram_agent_sessions_reconnected_total{previous_root_cause=\"network_reset\"})"), 1e-9);
        assertEquals(1, value("sum(deepgram_agent_configure_total{result=\"success\"})"), 1e-9);
        assertEquals(1, value("sum(deepgram_agent_configure_total{result=\"failure\"})"), 1e-9);
        assertEquals(0, value("sum(deepgram_agent_configure_total{result=\"unanswered\"})"), 1e-9);
        assertEquals(1, value("sum(deepgram_agent_error_messages_total{variant=\"unknown_message_type\"})"), 1e-9);
        assertEquals(8, value("sum(deepgram_agent_sessions_saved_total{by=\"finalize\"})"), 1e-9, "the eight v1 rescues");
        assertEquals(1, value("sum(deepgram_agent_sessions_saved_total{by=\"keepalive\"})"), 1e-9, "the pause (server.idle.window=2s here)");
        assertEquals(1, value("sum(deepgram_agent_sessions_saved_total{by=\"force_end_turn\"})"), 1e-9, "the Flux rescue");
        for (String warning : new String[] {"container_in_raw_stream", "sample_rate_mismatch", "channels_mismatch",
                "utterance_end_without_interim_results"}) {
            assertEquals(1, value("sum(deepgram_agent_session_warnings_total{warning=\"" + warning + "\"})"), 1e-9, warning);
        }
        assertEquals(4, value("sum(deepgram_agent_session_warnings_total)"), 1e-9, "no other warning on the normal sessions");
        assertTrue(value("sum(deepgram_agent_flush_latency_seconds_count)") >= 5, "rescues, the CloseStream and the app's Finalizes");
        // The JDK client's sessions under their own label.
        assertEquals(2, value("sum(deepgram_agent_sessions_ended_total{library=\"jdk\"})"), 1e-9);
        assertEquals(1, value("sum(deepgram_agent_sessions_ended_total{library=\"jdk\",root_cause=\"clean\"})"), 1e-9);
        assertEquals(1, value("sum(deepgram_agent_sessions_ended_total{library=\"jdk\",root_cause=\"handshake_auth\"})"), 1e-9);
        assertEquals(1, value("sum(deepgram_agent_messages_injected_total{library=\"jdk\",type=\"finalize\"})"), 1e-9);
        assertEquals(1.5, value("sum(deepgram_agent_audio_rescued_seconds_total{library=\"jdk\"})"), 1e-6);
        // And plain Netty's, nv-websocket-client's, Java-WebSocket's, Jetty's and Tyrus's (jakarta), each under its own.
        for (String library : new String[] {"netty", "nv-websocket", "java-websocket", "jetty", "jakarta"}) {
            String l = "library=\"" + library + "\"";
            assertEquals(2, value("sum(deepgram_agent_sessions_ended_total{" + l + "})"), 1e-9, library);
            assertEquals(1, value("sum(deepgram_agent_sessions_ended_total{" + l + ",root_cause=\"clean\"})"), 1e-9, library);
            assertEquals(1, value("sum(deepgram_agent_sessions_ended_total{" + l + ",root_cause=\"handshake_auth\"})"), 1e-9, library);
            assertEquals(1, value("sum(deepgram_agent_messages_injected_total{" + l + ",type=\"finalize\"})"), 1e-9, library);
            double rescued = value("sum(deepgram_agent_audio_rescued_seconds_total{" + l + "})");
            if (library.equals("netty")) {
                assertEquals(1.5, rescued, 1e-6, library);
            } else {
                assertTrue(rescued > 0 && rescued <= 1.5 + 1e-6, library + " rescued " + rescued + " s of its 1.5 s");
            }
        }
        assertEquals(0, value("sum(deepgram_agent_internal_errors_total)"), 1e-9);
        assertEquals(1, value("deepgram_agent_info{mode=\"active\"}"), 1e-9);
    }

    @Test
    void everyDashboardPanelReturnsData() throws Exception {
        List<String> problems = new ArrayList<>();
        for (Dashboards.Query q : Dashboards.queries()) {
            JsonNode result = prometheus.query(q.promql());
            if (result.isEmpty()) {
                problems.add(q.where() + ": no data for " + q.promql());
            }
        }
        assertEquals(List.of(), problems);
    }

    /** The drill-down's library variable set to each client library but OkHttp: every panel filtered by library shows that client's sessions. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"jdk", "netty", "nv-websocket", "java-websocket", "jetty", "jakarta"})
    void theDrillDownShowsEveryLibraryWithoutEdits(String library) throws Exception {
        List<String> problems = new ArrayList<>();
        for (Dashboards.Query q : Dashboards.queries(library)) {
            if (q.promql().contains("library=~\"" + library + "\"") && prometheus.query(q.promql()).isEmpty()) {
                problems.add(q.where() + ": no data for " + q.promql());
            }
        }
        assertEquals(List.of(), problems);
    }

    @Test
    void everyRuleEvaluatesAsTheSessionsDemand() throws Exception {
        List<String> problems = new ArrayList<>();
        Set<String> seen = new TreeSet<>();
        for (Map.Entry<String, String> rule : Rules.expressions(RULES).entrySet()) {
            seen.add(rule.getKey());
            JsonNode result = prometheus.query(rule.getValue());
            boolean data = !result.isEmpty();
            boolean expectData = !SILENT.contains(rule.getKey());
            if (data != expectData) {
                problems.add(rule.getKey() + (expectData ? " returned no data" : " returned data") + ": " + result);
            }
        }
        assertEquals(List.of(), problems);
        Set<String> alerts = new TreeSet<>(FIRING);
        alerts.addAll(SILENT);
        assertTrue(seen.containsAll(alerts), "alerts in the rules file: " + seen);

        Set<String> firing = new TreeSet<>();
        for (JsonNode a : prometheus.alerts()) {
            if ("firing".equals(a.path("state").asText())) {
                firing.add(a.path("labels").path("alertname").asText());
                assertFalse(a.path("labels").path("severity").asText().isEmpty());
                assertTrue(a.path("annotations").path("runbook_url").asText().startsWith("docs/runbook.md#"));
            }
        }
        assertEquals(new TreeSet<>(FIRING), firing);
    }

    @Test
    void everyRunbookLinkHasItsSection() throws Exception {
        String runbook = Files.readString(ROOT.resolve("docs/runbook.md"));
        // runbook_url: '{{ with $externalLabels.runbook_base }}...{{ else }}docs/runbook.md{{ end }}#<anchor>'
        Matcher m = Pattern.compile("runbook_url: '\\{\\{ with \\$externalLabels\\.runbook_base }}\\{\\{ \\. }}\\{\\{ else }}docs/runbook\\.md"
                + "\\{\\{ end }}#([a-z0-9_-]+)'").matcher(Files.readString(RULES));
        int links = 0;
        while (m.find()) {
            links++;
            String anchor = m.group(1);
            boolean found = runbook.lines().filter(l -> l.startsWith("## "))
                    .map(l -> l.substring(3).trim().toLowerCase().replace(' ', '-'))
                    .anyMatch(anchor::equals);
            assertTrue(found, "docs/runbook.md has no section for #" + anchor);
        }
        assertTrue(links >= 8);
        for (String cause : new String[] {"clean", "client_close_unflushed", "server_idle_timeout", "server_processing_timeout",
                "bad_audio", "server_error", "message_rejected", "handshake_auth", "handshake_rate_limited", "handshake_rejected",
                "handshake_server_error", "network_reset", "client_timeout", "client_cancel", "close_timeout", "jvm_shutdown", "unknown"}) {
            assertTrue(runbook.contains("\n## " + cause + "\n"), "runbook section for " + cause);
        }
        // DeepgramSessionWarnings links to the section named by its warning label.
        for (String warning : new String[] {"container_in_raw_stream", "sample_rate_mismatch", "channels_mismatch",
                "missing_sample_rate", "partial_samples", "utterance_end_without_interim_results", "utterance_end_out_of_range",
                "endpointing_invalid", "multichannel_without_channels", "model_endpoint_mismatch", "flux_threshold_out_of_range"}) {
            assertTrue(runbook.contains("\n## " + warning + "\n"), "runbook section for " + warning);
            assertTrue(exposition.contains("warning=\"" + warning + "\""), "series for " + warning);
        }
    }

    @Test
    void logsCarryTheSessionFactsButNoSecretsOrTranscripts() throws Exception {
        String stderr = app.stderrText();
        List<String> ends = stderr.lines().filter(l -> l.contains("\"message\":\"session ended\"")).toList();
        assertEquals(SESSIONS, ends.size(), stderr);
        Map<String, Integer> causes = new HashMap<>();
        for (String line : ends) {
            Matcher m = Pattern.compile("\"root_cause\":\"([a-z_]+)\"").matcher(line);
            assertTrue(m.find(), line);
            causes.merge(m.group(1), 1, Integer::sum);
            assertTrue(line.matches(".*\"library\":\"(okhttp|jdk|netty|nv-websocket|java-websocket|jetty|jakarta)\".*"), line);
            for (String field : new String[] {"\"close_code\":", "\"close_reason\":", "\"request_id\":",
                    "\"duration_seconds\":", "\"audio_seconds\":", "\"audio_lost_seconds\":", "\"audio_rescued_seconds\":"}) {
                assertTrue(line.contains(field), field + " in " + line);
            }
            assertTrue(line.contains("\"level\":\"" + (m.group(1).equals("clean") ? "INFO" : "WARN") + "\""), line);
        }
        assertEquals(EXPECTED_ENDS, causes);
        assertEquals(10, ends.stream().filter(l -> l.contains("\"saved_by\":")).count(), "one line per saved session");
        assertEquals(2, ends.stream().filter(l -> l.contains("\"library\":\"jdk\"")).count(), "the JDK client's sessions");
        assertEquals(2, ends.stream().filter(l -> l.contains("\"library\":\"netty\"")).count(), "plain Netty's sessions");
        assertEquals(2, ends.stream().filter(l -> l.contains("\"library\":\"nv-websocket\"")).count(), "nv-websocket's sessions");
        assertEquals(2, ends.stream().filter(l -> l.contains("\"library\":\"java-websocket\"")).count(), "Java-WebSocket's sessions");
        assertEquals(2, ends.stream().filter(l -> l.contains("\"library\":\"jetty\"")).count(), "Jetty's sessions");
        assertEquals(2, ends.stream().filter(l -> l.contains("\"library\":\"jakarta\"")).count(), "Tyrus's sessions");
        assertEquals(4, stderr.lines().filter(l -> l.contains("\"message\":\"session warning: ")).count(), "one line per warning");
        List<String> reconnects = stderr.lines().filter(l -> l.contains("session reconnected after an abnormal end")).toList();
        assertEquals(1, reconnects.size(), stderr);
        assertTrue(reconnects.get(0).contains("\"previous_root_cause\":\"network_reset\""), reconnects.get(0));
        assertTrue(reconnects.get(0).matches(".*\"previous_request_id\":\"[0-9a-f-]{36}\".*"), reconnects.get(0));
        assertTrue(stderr.contains("\"close_code\":1005"), "Flux's close without status code: " + stderr);
        assertTrue(stderr.contains("\"close_reason\":\"NET-0001\""), stderr);
        assertTrue(stderr.contains("\"handshake_status\":429"), stderr);

        // Warnings name Deepgram's parameters and their values (sample_rate=16000), never the URL itself.
        for (String secret : new String[] {"secret-test-key", "chunk-", "Token ", "encoding=linear16&", "sample_rate=16000&",
                "chain-1", "chain-2", "alpha", "not-a-list"}) {
            assertFalse(stderr.contains(secret), "'" + secret + "' leaked into the agent's log");
            assertFalse(exposition.contains(secret), "'" + secret + "' leaked into the metrics");
        }
    }

    @Test
    void docsMetricsMatchesTheExposition() throws Exception {
        Set<String> exposed = new TreeSet<>();
        Matcher m = Pattern.compile("(?m)^# TYPE (\\S+) (\\S+)$").matcher(exposition);
        while (m.find()) {
            String name = m.group(1);
            if (name.endsWith("_created")) {
                continue; // simpleclient's creation timestamps of counters and histograms
            }
            exposed.add(m.group(2).equals("counter") && !name.endsWith("_total") ? name + "_total" : name);
        }
        Set<String> documented = new TreeSet<>();
        Matcher d = Pattern.compile("(?m)^\\| `(deepgram_agent_[a-z_]+)` \\| (counter|gauge|histogram) \\|").matcher(
                Files.readString(ROOT.resolve("docs/metrics.md")));
        while (d.find()) {
            documented.add(d.group(1));
        }
        assertEquals(exposed, documented, "docs/metrics.md and the live exposition differ");
    }

    @Test
    void dashboardsAreImportableAndQueryOnlyExposedMetrics() throws Exception {
        Set<String> exposedSeries = new LinkedHashSet<>();
        Matcher m = Pattern.compile("(?m)^(deepgram_agent_[a-z_]+)[{ ]").matcher(exposition);
        while (m.find()) {
            exposedSeries.add(m.group(1));
        }
        String rules = Files.readString(RULES);
        for (Dashboards.Query q : Dashboards.queries()) {
            Matcher names = Pattern.compile("deepgram_agent[a-z_:]*").matcher(q.promql());
            while (names.find()) {
                String name = names.group();
                if (name.contains(":")) {
                    assertTrue(rules.contains("record: " + name), q.where() + " uses an unknown recording rule " + name);
                } else {
                    assertTrue(exposedSeries.contains(name), q.where() + " queries " + name + ", which the agent does not expose");
                }
            }
        }
        Dashboards.checkStructure();
    }
}
