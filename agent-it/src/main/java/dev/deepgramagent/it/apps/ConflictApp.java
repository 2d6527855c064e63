package dev.deepgramagent.it.apps;

import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Counter;
import io.prometheus.client.exporter.common.TextFormat;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.ClassFileVersion;
import net.bytebuddy.dynamic.loading.ClassLoadingStrategy;
import net.bytebuddy.implementation.FixedValue;
import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.StringWriter;
import java.util.concurrent.TimeUnit;

import static net.bytebuddy.matcher.ElementMatchers.named;

/**
 * An app that brings its own logback 1.2 + SLF4J 1.7 (with its own logback.xml), Byte Buddy and
 * Prometheus simpleclient, all in versions other than the agent's, and opens a Deepgram WebSocket
 * so the agent is busy in the same JVM. Its whole output must be the same with and without the agent.
 */
public final class ConflictApp {

    private static final Logger LOG = LoggerFactory.getLogger(ConflictApp.class);

    public static void main(String[] args) throws Exception {
        LOG.info("app starting with its own logback");
        LOG.debug("debug is enabled by the app's logback.xml");

        Class<?> generated = new ByteBuddy(ClassFileVersion.JAVA_V11)
                .subclass(Object.class)
                .name("dev.deepgramagent.it.apps.Generated")
                .method(named("toString")).intercept(FixedValue.value("made by the app's Byte Buddy"))
                .make()
                .load(ConflictApp.class.getClassLoader(), ClassLoadingStrategy.Default.WRAPPER)
                .getLoaded();
        System.out.println("bytebuddy: " + generated.getDeclaredConstructor().newInstance());
        System.out.println("bytebuddy package: " + ByteBuddy.class.getPackage().getName());

        Counter requests = Counter.build().name("app_requests_total").help("Requests the app served.")
                .labelNames("route").register();
        requests.labels("/home").inc(3);
        OkHttpClient client = new OkHttpClient.Builder().connectTimeout(5, TimeUnit.SECONDS).build();
        boolean failed = DeadEndSocket.openAndFail(client);
        LOG.info("websocket to a closed port failed as expected: {}", failed);
        requests.labels("/ws").inc();

        StringWriter metrics = new StringWriter();
        TextFormat.write004(metrics, CollectorRegistry.defaultRegistry.metricFamilySamples());
        System.out.print(metrics);

        client.dispatcher().executorService().shutdown();
        client.connectionPool().evictAll();
        LOG.warn("app done");
    }
}
