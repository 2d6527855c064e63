package dev.deepgramagent.bench.apps;

import okhttp3.OkHttpClient;

import java.util.concurrent.TimeUnit;

/** The start-up benchmark's app: builds an OkHttp client, reports its peak RSS and exits. */
public final class StartupApp {

    private StartupApp() {
    }

    public static void main(String[] args) {
        OkHttpClient client = new OkHttpClient.Builder()
                .connectTimeout(10, TimeUnit.SECONDS)
                .readTimeout(0, TimeUnit.SECONDS)
                .build();
        ProcStatus.report("client_timeout_ms", client.connectTimeoutMillis());
        ProcStatus.report("peak_rss_kib", ProcStatus.peakRssKib());
    }
}
