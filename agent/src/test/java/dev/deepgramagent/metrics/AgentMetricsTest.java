package dev.deepgramagent.metrics;

import dev.deepgramagent.config.AgentConfig;
import dev.deepgramagent.config.ConfigLoader;
import dev.deepgramagent.core.session.SessionEngine;
import dev.deepgramagent.core.session.SocketControl;
import io.prometheus.client.Collector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The zero series a scrape finds, and counts made before the first scrape created them. */
class AgentMetricsTest {

    private static final String URL = "wss://api.deepgram.com/v1/listen?encoding=linear16&sample_rate=16000&channels=1";

    private final SessionEngine engine = new SessionEngine(config());

    private static AgentConfig config() {
        return ConfigLoader.load("keepalive.interval=0,flux.ping.interval=0", Map.of(), Map.of(), w -> {
            throw new AssertionError(w);
        });
    }

    @AfterEach
    void stop() {
        engine.shutdown();
    }

    @Test
    void theFirstScrapeFindsEverySeriesOfEveryLibraryAtZero() {
        AgentMetrics metrics = new AgentMetrics(engine, List.of("okhttp", "jdk"), "test", "active");
        Map<String, Double> samples = scrape(metrics);
        for (String library : List.of("okhttp", "jdk")) {
            assertEquals(0.0, samples.get("deepgram_agent_sessions_opened_total{library=" + library + ",endpoint=/v1/listen}"));
            assertEquals(0.0, samples.get("deepgram_agent_sessions_ended_total{library=" + library + ",endpoint=/v2/listen,root_cause=clean}"));
            assertEquals(0.0, samples.get("deepgram_agent_handshake_failures_total{library=" + library + ",status=429}"));
            assertEquals(0.0, samples.get("deepgram_agent_session_duration_seconds_count{library=" + library + "}"));
            assertEquals(0.0, samples.get("deepgram_agent_sessions_active{library=" + library + "}"));
        }
        assertNull(samples.get("deepgram_agent_sessions_opened_total{library=netty,endpoint=/v1/listen}"), "only the libraries given");
    }

    @Test
    void aSessionOpenedBeforeTheFirstScrapeIsCountedOnceTheZeroSeriesExist() {
        AgentMetrics metrics = new AgentMetrics(engine, List.of("okhttp"), "test", "active");
        engine.register("okhttp", new SocketControl() {
            @Override
            public boolean sendText(Object socket, Object state, String text) {
                return true;
            }

            @Override
            public boolean close(Object socket, Object state, int code, String reason) {
                return true;
            }
        });
        engine.addListener(metrics);
        Object socket = new Object();
        engine.created(socket, "okhttp", URL, null);
        engine.opened(socket, "req-1");
        Map<String, Double> first = scrape(metrics);
        assertEquals(1.0, first.get("deepgram_agent_sessions_opened_total{library=okhttp,endpoint=/v1/listen}"));
        assertEquals(0.0, first.get("deepgram_agent_sessions_opened_total{library=okhttp,endpoint=/v2/listen}"));
        assertEquals(1.0, first.get("deepgram_agent_sessions_active{library=okhttp}"));
        assertEquals(first, scrape(metrics), "a second scrape reads the same");
    }

    @Test
    void aScrapeByNameReadsOnlyThoseFamilies() {
        AgentMetrics metrics = new AgentMetrics(engine, List.of("okhttp"), "test", "active");
        Map<String, Double> samples = new HashMap<>();
        for (Collector.MetricFamilySamples family : Collections.list(metrics.samples(Set.of("deepgram_agent_sessions_opened_total")))) {
            for (Collector.MetricFamilySamples.Sample s : family.samples) {
                samples.put(s.name, s.value);
            }
        }
        assertEquals(Set.of("deepgram_agent_sessions_opened_total"), samples.keySet());
    }

    private static Map<String, Double> scrape(AgentMetrics metrics) {
        Map<String, Double> out = new HashMap<>();
        for (Collector.MetricFamilySamples family : Collections.list(metrics.samples(Set.of()))) {
            for (Collector.MetricFamilySamples.Sample s : family.samples) {
                StringBuilder key = new StringBuilder(s.name).append('{');
                for (int i = 0; i < s.labelNames.size(); i++) {
                    key.append(i == 0 ? "" : ",").append(s.labelNames.get(i)).append('=').append(s.labelValues.get(i));
                }
                out.put(key.append('}').toString(), s.value);
            }
        }
        return out;
    }
}
