package dev.deepgramagent.metrics;

import dev.deepgramagent.core.DeepgramEndpoints;
import dev.deepgramagent.core.diagnostics.SessionWarning;
import dev.deepgramagent.core.session.ErrorFrames;
import dev.deepgramagent.core.session.RootCause;
import dev.deepgramagent.core.session.Session;
import dev.deepgramagent.core.session.SessionEnd;
import dev.deepgramagent.core.session.SessionEngine;
import dev.deepgramagent.core.session.SessionListener;
import dev.deepgramagent.errors.InternalErrors;
import io.prometheus.client.Collector;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Counter;
import io.prometheus.client.CounterMetricFamily;
import io.prometheus.client.GaugeMetricFamily;
import io.prometheus.client.Histogram;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.DoubleAdder;

/**
 * The agent's Prometheus metrics, in a registry of its own (never the app's default registry).
 * Every label value comes from a fixed, small set: library, endpoint, root cause, message type,
 * handshake status class, error kind. Audio totals are computed at scrape time from the open
 * sessions plus the ended ones, so the audio send path never touches a metric.
 */
public final class AgentMetrics implements SessionListener, MetricsServer.Source {

    /** Handshake statuses kept as their own label value; anything else becomes "other". */
    static final List<String> STATUSES = List.of("400", "401", "402", "403", "404", "408", "429", "500", "502", "503", "504", "other");

    /** The {@code type} label of messages_injected: v1's flushes and KeepAlive, Flux's ForceEndTurn. */
    static final List<String> INJECTED_TYPES = List.of("finalize", "closestream", "keepalive", "forceendturn");

    private final SessionEngine engine;
    private final List<String> libraries;
    private final String version;
    private final String mode;
    private final Map<String, DoubleAdder> endedAudioSeconds = new ConcurrentHashMap<>();
    private final Map<String, DoubleAdder> endedAudioBytes = new ConcurrentHashMap<>();
    /** Created by the first event or scrape, or ahead of the first session ({@link #prepare}): never on the start thread. */
    private volatile Families families;
    private volatile boolean unavailable;
    private volatile boolean zeroSeries;

    public AgentMetrics(SessionEngine engine, List<String> libraries, String version, String mode) {
        this.engine = engine;
        this.libraries = List.copyOf(libraries);
        this.version = version;
        this.mode = mode;
        for (String library : this.libraries) {
            endedAudioSeconds.put(library, new DoubleAdder());
            endedAudioBytes.put(library, new DoubleAdder());
        }
    }

    /**
     * The registry and its metric families. Building them loads the Prometheus client's classes,
     * about 10 ms of CPU that an app's start-up would share its cores with, for metrics nobody
     * reads before the first session or scrape.
     */
    private final class Families {
        final CollectorRegistry registry = new CollectorRegistry(true);
        final Counter opened;
        final Counter adopted;
        final Counter ended;
        final Counter injected;
        final Counter handshakeFailures;
        final Counter reconnected;
        final Counter saved;
        final Counter warnings;
        final Counter configure;
        final Counter errorMessages;
        final Counter rescued;
        final Counter lost;
        final Histogram flushLatency;
        final Histogram duration;
        final Histogram longestGap;

        Families() {
            opened = Counter.build("deepgram_agent_sessions_opened_total", "Deepgram sessions whose handshake succeeded.")
                    .labelNames("library", "endpoint").register(registry);
            adopted = Counter.build("deepgram_agent_sessions_adopted_total",
                    "Sessions opened before the agent was attached, tracked from their next event on (also counted in sessions_opened).")
                    .labelNames("library").register(registry);
            ended = Counter.build("deepgram_agent_sessions_ended_total", "Deepgram sessions ended, by root cause (exactly one per session).")
                    .labelNames("library", "endpoint", "root_cause").register(registry);
            injected = Counter.build("deepgram_agent_messages_injected_total", "Control messages the agent sent on the app's behalf.")
                    .labelNames("library", "type").register(registry);
            reconnected = Counter.build("deepgram_agent_sessions_reconnected_total",
                    "Sessions the official SDK opened again within 15 s of an abnormal end (same x-deepgram-session-id), by that end's root cause.")
                    .labelNames("library", "previous_root_cause").register(registry);
            saved = Counter.build("deepgram_agent_sessions_saved_total",
                    "Sessions the agent's own writes saved: its flush delivered words the app's close would have dropped (finalize), "
                            + "its KeepAlives carried the app through a pause longer than Deepgram's idle window (keepalive), "
                            + "its ForceEndTurn delivered a Flux turn (force_end_turn).")
                    .labelNames("library", "by").register(registry);
            warnings = Counter.build("deepgram_agent_session_warnings_total",
                    "Problems with a session's settings or audio, named before Deepgram fails on them (once per warning per session).")
                    .labelNames("library", "warning").register(registry);
            configure = Counter.build("deepgram_agent_configure_total",
                    "Configure messages by Deepgram's answer (success, failure) or none before the session ended (unanswered).")
                    .labelNames("library", "result").register(registry);
            errorMessages = Counter.build("deepgram_agent_error_messages_total", "Error frames Deepgram sent, by variant.")
                    .labelNames("library", "variant").register(registry);
            handshakeFailures = Counter.build("deepgram_agent_handshake_failures_total", "Handshakes Deepgram answered with an HTTP error status.")
                    .labelNames("library", "status").register(registry);
            rescued = Counter.build("deepgram_agent_audio_rescued_seconds_total",
                    "Audio seconds whose final results arrived only because the agent flushed before the app's close.")
                    .labelNames("library").register(registry);
            lost = Counter.build("deepgram_agent_audio_lost_seconds_total",
                    "Audio seconds sent but never covered by a final result when the session ended: the lost words.")
                    .labelNames("library").register(registry);
            flushLatency = Histogram.build("deepgram_agent_flush_latency_seconds", "Time from a Finalize/CloseStream to its answer.")
                    .labelNames("library").buckets(0.05, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5).register(registry);
            duration = Histogram.build("deepgram_agent_session_duration_seconds", "Duration of ended Deepgram sessions.")
                    .labelNames("library").buckets(1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600).register(registry);
            longestGap = Histogram.build("deepgram_agent_send_gap_longest_seconds",
                    "Longest pause between two of the app's own sends in a session (the agent's KeepAlives do not end it; Deepgram closes after ~10 s without any).")
                    .labelNames("library").buckets(0.1, 0.5, 1, 2, 4, 6, 8, 10, 15, 30, 60).register(registry);

            new LiveCollector(version, mode).register(registry);
        }
    }

    /** Builds the metric families now, if nothing has yet: called ahead of the first session's events. */
    public void prepare() {
        families();
    }

    /**
     * @return the families, or null once building them failed: that failure is a start-up error
     *     (counted and logged once, the metrics stay off), never one of the session path's, which
     *     would put the agent in observe-only mode.
     */
    private Families families() {
        Families f = families;
        if (f == null && !unavailable) {
            synchronized (this) {
                f = families;
                if (f == null && !unavailable) {
                    try {
                        f = new Families();
                        families = f;
                    } catch (Throwable t) {
                        unavailable = true;
                        InternalErrors.record(InternalErrors.Kind.STARTUP, "metrics", t);
                    }
                }
            }
        }
        return f;
    }

    /**
     * Every series of every library at 0, so that dashboards and rate() work before the first event.
     * Created by the first scrape rather than at start: a few thousand children cost the app's start
     * about 10 ms of CPU, and nobody reads them before a scrape. An event before that scrape has already
     * created its own child, which {@code labels()} then returns as it is.
     */
    private void ensureZeroSeries() {
        if (zeroSeries) {
            return;
        }
        synchronized (this) {
            if (zeroSeries) {
                return;
            }
            Families f = families();
            if (f == null) {
                return;
            }
            for (String library : libraries) {
                for (DeepgramEndpoints.Endpoint endpoint : DeepgramEndpoints.Endpoint.values()) {
                    f.opened.labels(library, endpoint.label());
                    for (RootCause cause : RootCause.values()) {
                        f.ended.labels(library, endpoint.label(), cause.label());
                    }
                }
                for (RootCause cause : RootCause.values()) {
                    f.reconnected.labels(library, cause.label());
                }
                for (String type : INJECTED_TYPES) {
                    f.injected.labels(library, type);
                }
                for (String by : SessionEnd.SAVED_BY) {
                    f.saved.labels(library, by);
                }
                for (SessionWarning warning : SessionWarning.values()) {
                    f.warnings.labels(library, warning.label());
                }
                for (String result : List.of("success", "failure", "unanswered")) {
                    f.configure.labels(library, result);
                }
                for (String variant : ErrorFrames.LABELS) {
                    f.errorMessages.labels(library, variant);
                }
                for (String status : STATUSES) {
                    f.handshakeFailures.labels(library, status);
                }
                f.rescued.labels(library);
                f.adopted.labels(library);
                f.lost.labels(library);
                f.flushLatency.labels(library);
                f.duration.labels(library);
                f.longestGap.labels(library);
            }
            zeroSeries = true;
        }
    }

    @Override
    public Enumeration<Collector.MetricFamilySamples> samples(Set<String> names) {
        ensureZeroSeries();
        Families f = families();
        if (f == null) {
            return Collections.emptyEnumeration();
        }
        CollectorRegistry registry = f.registry;
        return names.isEmpty() ? registry.metricFamilySamples() : registry.filteredMetricFamilySamples(names);
    }

    @Override
    public void opened(Session session) {
        Families f = families();
        if (f != null) {
            f.opened.labels(session.library, session.endpoint.label()).inc();
        }
    }

    @Override
    public void adopted(Session session) {
        Families f = families();
        if (f != null) {
            f.adopted.labels(session.library).inc();
        }
    }

    @Override
    public void injected(Session session, String messageType) {
        Families f = families();
        if (f != null) {
            f.injected.labels(session.library, messageType).inc();
        }
    }

    @Override
    public void flushAnswered(Session session, double latencySeconds) {
        Families f = families();
        if (f != null) {
            f.flushLatency.labels(session.library).observe(latencySeconds);
        }
    }

    @Override
    public void ended(Session session, SessionEnd end) {
        String library = end.library;
        Families f = families();
        if (f == null) {
            return;
        }
        f.ended.labels(library, end.endpoint, end.rootCause.label()).inc();
        for (String by : end.savedByLabels()) {
            f.saved.labels(library, by).inc();
        }
        if (end.configuresUnanswered > 0) {
            f.configure.labels(library, "unanswered").inc(end.configuresUnanswered);
        }
        if (end.handshakeStatus > 0) {
            String status = String.valueOf(end.handshakeStatus);
            f.handshakeFailures.labels(library, STATUSES.contains(status) ? status : "other").inc();
        }
        f.lost.labels(library).inc(end.lostSeconds);
        f.rescued.labels(library).inc(end.rescuedSeconds);
        f.duration.labels(library).observe(end.durationSeconds);
        f.longestGap.labels(library).observe(end.longestGapSeconds);
        endedAudioSeconds.computeIfAbsent(library, l -> new DoubleAdder()).add(end.audioSeconds);
        endedAudioBytes.computeIfAbsent(library, l -> new DoubleAdder()).add(end.audioBytes);
    }

    @Override
    public void reconnected(Session session, RootCause previous, String previousRequestId) {
        Families f = families();
        if (f != null) {
            f.reconnected.labels(session.library, previous.label()).inc();
        }
    }

    @Override
    public void warning(Session session, SessionWarning warning, String detail) {
        Families f = families();
        if (f != null) {
            f.warnings.labels(session.library, warning.label()).inc();
        }
    }

    @Override
    public void errorReceived(Session session, String variantLabel) {
        Families f = families();
        if (f != null) {
            f.errorMessages.labels(session.library, variantLabel).inc();
        }
    }

    @Override
    public void configureAnswered(Session session, boolean success) {
        Families f = families();
        if (f != null) {
            f.configure.labels(session.library, success ? "success" : "failure").inc();
        }
    }

    /** Values read at scrape time: active sessions, audio totals, internal errors, the info metric. */
    private final class LiveCollector extends Collector {
        private final String version;
        private final String mode;

        LiveCollector(String version, String mode) {
            this.version = version;
            this.mode = mode;
        }

        @Override
        public List<MetricFamilySamples> collect() {
            Map<String, Integer> active = new HashMap<>();
            Map<String, Double> seconds = new HashMap<>();
            Map<String, Double> bytes = new HashMap<>();
            for (String library : libraries) {
                active.put(library, 0);
                seconds.put(library, endedAudioSeconds.get(library).sum());
                bytes.put(library, endedAudioBytes.get(library).sum());
            }
            for (Session s : engine.sessions()) {
                if (s.end() != null) {
                    continue;
                }
                active.merge(s.library, 1, Integer::sum);
                seconds.merge(s.library, s.audioSeconds(), Double::sum);
                bytes.merge(s.library, (double) s.audioBytes(), Double::sum);
            }
            List<MetricFamilySamples> out = new ArrayList<>();
            GaugeMetricFamily activeFamily = new GaugeMetricFamily("deepgram_agent_sessions_active",
                    "Deepgram sessions open now.", List.of("library"));
            CounterMetricFamily secondsFamily = new CounterMetricFamily("deepgram_agent_audio_sent_seconds_total",
                    "Audio seconds sent to Deepgram (raw encodings; computed from bytes, rate and channels).", List.of("library"));
            CounterMetricFamily bytesFamily = new CounterMetricFamily("deepgram_agent_audio_sent_bytes_total",
                    "Audio bytes sent to Deepgram.", List.of("library"));
            for (String library : active.keySet()) {
                activeFamily.addMetric(List.of(library), active.get(library));
                secondsFamily.addMetric(List.of(library), seconds.get(library));
                bytesFamily.addMetric(List.of(library), bytes.get(library));
            }
            out.add(activeFamily);
            out.add(secondsFamily);
            out.add(bytesFamily);
            CounterMetricFamily errors = new CounterMetricFamily("deepgram_agent_internal_errors_total",
                    "Failures inside the agent (the app is unaffected; after a runtime error the agent only observes).", List.of("kind"));
            for (InternalErrors.Kind kind : InternalErrors.Kind.values()) {
                errors.addMetric(List.of(kind.name().toLowerCase(Locale.ROOT)), InternalErrors.count(kind));
            }
            out.add(errors);
            GaugeMetricFamily degraded = new GaugeMetricFamily("deepgram_agent_degraded",
                    "1 when an internal error made the agent stop writing to sockets (observing only).", Collections.emptyList());
            degraded.addMetric(Collections.emptyList(), InternalErrors.degraded() ? 1 : 0);
            out.add(degraded);
            GaugeMetricFamily info = new GaugeMetricFamily("deepgram_agent_info", "The agent's version and mode.", List.of("version", "mode"));
            info.addMetric(List.of(version, mode), 1);
            out.add(info);
            return out;
        }
    }
}
