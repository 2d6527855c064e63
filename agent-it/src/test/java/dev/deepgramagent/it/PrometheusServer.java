package dev.deepgramagent.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** A real Prometheus (Debian package prometheus) on loopback, scraping one target every second. */
final class PrometheusServer implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final Process process;
    private final int port;
    private final Path dir;

    private PrometheusServer(Process process, int port, Path dir) {
        this.process = process;
        this.port = port;
        this.dir = dir;
    }

    static String binary(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        throw new AssertionError(name + " not found: install the Debian package prometheus (.ci/run does)");
    }

    static PrometheusServer start(String target, Path rules) throws Exception {
        Path dir = Files.createTempDirectory("prometheus");
        String config = "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
                + "rule_files:\n  - " + rules.toAbsolutePath() + "\n"
                + "scrape_configs:\n  - job_name: deepgram-e2e\n    static_configs:\n      - targets: ['" + target + "']\n";
        return start(dir, config);
    }

    /**
     * Targets found by file-based discovery, each with its own labels: how the Prometheus
     * Operator's targets look (namespace, pod, container).
     */
    static PrometheusServer startDiscovering(Map<String, Map<String, String>> labelsByTarget, Path rules) throws Exception {
        Path dir = Files.createTempDirectory("prometheus");
        com.fasterxml.jackson.databind.node.ArrayNode groups = JSON.createArrayNode();
        labelsByTarget.forEach((target, labels) -> {
            com.fasterxml.jackson.databind.node.ObjectNode group = groups.addObject();
            group.putArray("targets").add(target);
            com.fasterxml.jackson.databind.node.ObjectNode l = group.putObject("labels");
            labels.forEach(l::put);
        });
        Files.writeString(dir.resolve("targets.json"), JSON.writeValueAsString(groups));
        String config = "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
                + "rule_files:\n  - " + rules.toAbsolutePath() + "\n"
                + "scrape_configs:\n  - job_name: deepgram-fleet\n    file_sd_configs:\n      - files: ['"
                + dir.resolve("targets.json") + "']\n        refresh_interval: 1s\n";
        return start(dir, config);
    }

    private static PrometheusServer start(Path dir, String config) throws Exception {
        Files.writeString(dir.resolve("prometheus.yml"), config);
        int port = ForkedJvm.freePort();
        Process p = new ProcessBuilder(binary("prometheus"), "--config.file=" + dir.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port,
                "--log.level=warn")
                .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
        PrometheusServer server = new PrometheusServer(p, port, dir);
        Poll.until(() -> server.ready(), 60, "Prometheus ready\n" + server.log());
        return server;
    }

    private boolean ready() {
        try {
            return get("/-/ready").statusCode() == 200;
        } catch (Exception e) {
            return false;
        }
    }

    String log() {
        try {
            return Files.readString(dir.resolve("prometheus.log"));
        } catch (IOException e) {
            return "";
        }
    }

    private HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** An instant query; returns data.result (an array). */
    JsonNode query(String promql) throws Exception {
        HttpResponse<String> r = get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        JsonNode body = JSON.readTree(r.body());
        if (!"success".equals(body.path("status").asText())) {
            throw new AssertionError("query failed: " + promql + "\n" + r.body());
        }
        return body.path("data").path("result");
    }

    /** The value of a query that returns one series; NaN for none, several, or a failed query (for polling). */
    double valueOrNaN(String promql) {
        try {
            JsonNode r = query(promql);
            return r.size() == 1 ? Double.parseDouble(r.get(0).path("value").get(1).asText()) : Double.NaN;
        } catch (Exception e) {
            return Double.NaN;
        }
    }

    /** The value of a query expected to return exactly one series. */
    double scalar(String promql) throws Exception {
        JsonNode result = query(promql);
        if (result.size() != 1) {
            throw new AssertionError("expected one series for " + promql + ", got " + result);
        }
        return Double.parseDouble(result.get(0).path("value").get(1).asText());
    }

    JsonNode alerts() throws Exception {
        return JSON.readTree(get("/api/v1/alerts").body()).path("data").path("alerts");
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

    /** Polls a condition that has no event to wait on (an HTTP API), at a fixed short interval, bounded. */
    static final class Poll {
        private Poll() {
        }

        static void until(BooleanSupplier condition, long seconds, String what) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            Object monitor = new Object();
            while (!condition.getAsBoolean()) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("timed out after " + seconds + " s waiting for: " + what);
                }
                synchronized (monitor) {
                    monitor.wait(200);
                }
            }
        }
    }
}
