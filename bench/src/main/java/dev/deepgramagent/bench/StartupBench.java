package dev.deepgramagent.bench;

import dev.deepgramagent.bench.apps.FirstSessionApp;
import dev.deepgramagent.bench.apps.NettyStartupApp;
import dev.deepgramagent.bench.apps.StartupApp;
import dev.deepgramagent.simulator.DeepgramSimulator;

import java.util.ArrayList;
import java.util.List;

/**
 * Fresh JVMs, round-robin so drift hits every variant alike, the first round discarded (cold page
 * cache): start-up of a small OkHttp app plain, with a no-op agent (the floor every agent pays),
 * with our agent and with the OpenTelemetry agent, and of a Netty HTTP server app (Netty loaded, no
 * WebSocket client) plain, with the no-op agent and with ours. What ours adds is the median of the
 * per-round differences, shown with their range;
 * then the first session's newWebSocket-to-onOpen time, plain and with our agent.
 */
final class StartupBench {

    private StartupBench() {
    }

    static void startup(Bench bench, Report report) throws Exception {
        int runs = bench.settings.startupRuns;
        List<Double> plainWall = new ArrayList<>();
        List<Double> noopWall = new ArrayList<>();
        List<Double> agentWall = new ArrayList<>();
        List<Double> otelWall = new ArrayList<>();
        List<Double> plainRss = new ArrayList<>();
        List<Double> agentRss = new ArrayList<>();
        List<Double> otelRss = new ArrayList<>();
        List<Double> nettyPlainWall = new ArrayList<>();
        List<Double> nettyNoopWall = new ArrayList<>();
        List<Double> nettyAgentWall = new ArrayList<>();
        // Per round, so that the machine's drift between rounds cancels: ours minus plain, ours minus the no-op agent.
        List<Double> addedPerRound = new ArrayList<>();
        List<Double> aboveNoopPerRound = new ArrayList<>();
        List<Double> nettyAddedPerRound = new ArrayList<>();
        List<Double> nettyAboveNoopPerRound = new ArrayList<>();
        Bench.progress("start-up: " + runs + " rounds of plain / no-op agent / our agent / OpenTelemetry agent, and a Netty server app");
        for (int round = 0; round <= runs; round++) {
            JvmRun plain = bench.run(List.of(), StartupApp.class, List.of(), 120);
            JvmRun noop = bench.run(bench.noopAgentArgs(), StartupApp.class, List.of(), 120);
            JvmRun agent = bench.run(bench.agentArgs(), StartupApp.class, List.of(), 120);
            // The OpenTelemetry agent is context, not a goal, and takes seconds per run: quick mode samples it less.
            JvmRun otel = round <= bench.settings.otelStartupRuns ? bench.run(bench.otelArgs(), StartupApp.class, List.of(), 120) : null;
            JvmRun nettyPlain = bench.run(List.of(), NettyStartupApp.class, List.of(), 120);
            JvmRun nettyNoop = bench.run(bench.noopAgentArgs(), NettyStartupApp.class, List.of(), 120);
            JvmRun nettyAgent = bench.run(bench.agentArgs(), NettyStartupApp.class, List.of(), 120);
            if (round == 0) {
                continue;
            }
            nettyPlainWall.add(nettyPlain.wallMillis);
            nettyNoopWall.add(nettyNoop.wallMillis);
            nettyAgentWall.add(nettyAgent.wallMillis);
            plainWall.add(plain.wallMillis);
            noopWall.add(noop.wallMillis);
            agentWall.add(agent.wallMillis);
            if (otel != null) {
                otelWall.add(otel.wallMillis);
                otelRss.add(mib(otel));
            }
            plainRss.add(mib(plain));
            agentRss.add(mib(agent));
            addedPerRound.add(agent.wallMillis - plain.wallMillis);
            aboveNoopPerRound.add(agent.wallMillis - noop.wallMillis);
            nettyAddedPerRound.add(nettyAgent.wallMillis - nettyPlain.wallMillis);
            nettyAboveNoopPerRound.add(nettyAgent.wallMillis - nettyNoop.wallMillis);
        }
        double wallPlain = Stats.median(plainWall);
        double wallNoop = Stats.median(noopWall);
        double wallAgent = Stats.median(agentWall);
        double wallOtel = Stats.median(otelWall);
        double rssPlain = Stats.median(plainRss);
        double rssAgent = Stats.median(agentRss);
        double rssOtel = Stats.median(otelRss);
        double added = Stats.median(addedPerRound);
        double aboveNoop = Stats.median(aboveNoopPerRound);
        double otelAdded = wallOtel - wallPlain;
        double rssAdded = rssAgent - rssPlain;
        report.headline("startup_overhead_ms", added, 1, added <= 150);
        report.headline("startup_over_noop_agent_ms", aboveNoop, 1, aboveNoop <= 60);
        report.headline("noop_agent_startup_overhead_ms", Stats.median(noopWall) - wallPlain, 1, null);
        report.headline("otel_startup_overhead_ms", otelAdded, 1, null);
        report.headline("rss_overhead_mib", rssAdded, 1, rssAdded <= 30);
        report.headline("otel_rss_overhead_mib", rssOtel - rssPlain, 1, null);
        report.row("start-up wall, OkHttp app", Report.fmt(wallPlain, "ms"), Report.fmt(wallAgent, "ms"),
                Report.signed(added, "ms") + " " + Stats.range(addedPerRound, "ms"), "<= +150 ms", added <= 150);
        report.row("  same, above a no-op -javaagent (the floor)", Report.fmt(wallNoop, "ms"), Report.fmt(wallAgent, "ms"),
                Report.signed(aboveNoop, "ms") + " " + Stats.range(aboveNoopPerRound, "ms"), "<= +60 ms", aboveNoop <= 60);
        report.row("  same, OpenTelemetry agent 2.x", Report.fmt(wallPlain, "ms"), Report.fmt(wallOtel, "ms"), Report.signed(otelAdded, "ms"), "(beside ours)", null);
        report.row("start-up peak RSS", Report.fmt(rssPlain, "MiB"), Report.fmt(rssAgent, "MiB"), Report.signed(rssAdded, "MiB"), "<= +30 MiB", rssAdded <= 30);
        report.row("  same, OpenTelemetry agent 2.x", Report.fmt(rssPlain, "MiB"), Report.fmt(rssOtel, "MiB"), Report.signed(rssOtel - rssPlain, "MiB"), "(beside ours)", null);
        // An app that loads Netty (an HTTP server) but opens no WebSocket client: the agent's Netty hooks never load.
        double nettyAdded = Stats.median(nettyAddedPerRound);
        double nettyAboveNoop = Stats.median(nettyAboveNoopPerRound);
        report.headline("netty_startup_overhead_ms", nettyAdded, 1, nettyAdded <= 150);
        report.headline("netty_startup_over_noop_agent_ms", nettyAboveNoop, 1, nettyAboveNoop <= 60);
        report.row("start-up wall, Netty HTTP server app", Report.fmt(Stats.median(nettyPlainWall), "ms"),
                Report.fmt(Stats.median(nettyAgentWall), "ms"), Report.signed(nettyAdded, "ms") + " " + Stats.range(nettyAddedPerRound, "ms"),
                "<= +150 ms", nettyAdded <= 150);
        report.row("  same, above a no-op -javaagent (the floor)", Report.fmt(Stats.median(nettyNoopWall), "ms"),
                Report.fmt(Stats.median(nettyAgentWall), "ms"), Report.signed(nettyAboveNoop, "ms") + " " + Stats.range(nettyAboveNoopPerRound, "ms"),
                "<= +60 ms", nettyAboveNoop <= 60);
        report.detail("startup_netty_plain_ms", nettyPlainWall);
        report.detail("startup_netty_noop_agent_ms", nettyNoopWall);
        report.detail("startup_netty_agent_ms", nettyAgentWall);
        report.detail("startup_runs", runs);
        report.detail("startup_plain_ms", plainWall);
        report.detail("startup_noop_agent_ms", noopWall);
        report.detail("startup_agent_ms", agentWall);
        report.detail("startup_otel_ms", otelWall);
        report.detail("startup_added_per_round_ms", addedPerRound);
        report.detail("startup_above_noop_per_round_ms", aboveNoopPerRound);
        report.detail("startup_plain_rss_mib", plainRss);
        report.detail("startup_agent_rss_mib", agentRss);
        report.detail("startup_otel_rss_mib", otelRss);
    }

    static void firstSession(Bench bench, DeepgramSimulator simulator, Report report) throws Exception {
        int runs = bench.settings.firstSessionRuns;
        List<Double> plainOpen = new ArrayList<>();
        List<Double> agentOpen = new ArrayList<>();
        List<Double> plainRss = new ArrayList<>();
        List<Double> agentRss = new ArrayList<>();
        Bench.progress("first session: " + runs + " rounds of plain / with the agent");
        List<String> args = List.of(simulator.listenUrl());
        for (int round = 0; round <= runs; round++) {
            JvmRun plain = bench.run(List.of(), FirstSessionApp.class, Bench.concat(args, -1), 120);
            int port = Bench.freePort();
            JvmRun agent = bench.run(bench.agentArgsOnPort(port), FirstSessionApp.class, Bench.concat(args, port), 120);
            if (agent.number("agent_sessions_active") != 1) {
                throw new IllegalStateException("the agent did not track the first session: sessions active = "
                        + agent.values.get("agent_sessions_active"));
            }
            if (round == 0) {
                continue;
            }
            plainOpen.add(plain.number("first_open_us") / 1000);
            agentOpen.add(agent.number("first_open_us") / 1000);
            plainRss.add(mib(plain));
            agentRss.add(mib(agent));
        }
        double open = Stats.median(plainOpen);
        double openAgent = Stats.median(agentOpen);
        double penalty = openAgent - open;
        double rssAdded = Stats.median(agentRss) - Stats.median(plainRss);
        report.headline("first_session_penalty_ms", penalty, 1, penalty <= 50);
        report.headline("rss_overhead_after_session_mib", rssAdded, 1, rssAdded <= 30);
        report.row("first session newWebSocket -> onOpen", Report.fmt(open, "ms"), Report.fmt(openAgent, "ms"), Report.signed(penalty, "ms"), "<= +50 ms", penalty <= 50);
        report.row("peak RSS after the first session", Report.fmt(Stats.median(plainRss), "MiB"), Report.fmt(Stats.median(agentRss), "MiB"),
                Report.signed(rssAdded, "MiB"), "<= +30 MiB", rssAdded <= 30);
        report.detail("first_session_plain_ms", plainOpen);
        report.detail("first_session_agent_ms", agentOpen);
        report.detail("first_session_plain_rss_mib", plainRss);
        report.detail("first_session_agent_rss_mib", agentRss);
    }

    private static double mib(JvmRun run) {
        return run.number("peak_rss_kib") / 1024.0;
    }
}
