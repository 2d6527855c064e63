package dev.deepgramagent.metrics;

import dev.deepgramagent.errors.InternalErrors;
import dev.deepgramagent.logging.AgentLogging;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.exporter.HTTPServer;

import java.net.InetSocketAddress;

/** Serves the agent's registry at http://metrics.host:metrics.port/metrics on a daemon thread. */
public final class MetricsServer {

    private MetricsServer() {
    }

    /** @return the server, or null when the port is 0 or cannot be bound (logged once; the app carries on). */
    public static HTTPServer start(String host, int port, CollectorRegistry registry) {
        if (port == 0) {
            return null;
        }
        try {
            HTTPServer server = new HTTPServer.Builder()
                    .withInetSocketAddress(new InetSocketAddress(host, port))
                    .withRegistry(registry)
                    .withDaemonThreads(true)
                    .build();
            AgentLogging.logger("metrics").debug("metrics on http://{}:{}/metrics", host, server.getPort());
            return server;
        } catch (Exception e) {
            InternalErrors.record(InternalErrors.Kind.STARTUP, "metrics endpoint " + host + ":" + port,
                    e + " (set metrics.port to a free port, or 0 to turn the endpoint off)");
            return null;
        }
    }
}
