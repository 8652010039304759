package io.qreg.registry.routing;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;

import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;

/**
 * An xDS client the way an Envoy is one: a node naming its deployment and environment, one ADS
 * stream, state-of-the-world DiscoveryRequests by type URL, ACKs carrying the version and nonce.
 */
final class AdsClient implements AutoCloseable {

    static final String CLUSTERS = "type.googleapis.com/envoy.config.cluster.v3.Cluster";
    static final String ROUTES = "type.googleapis.com/envoy.config.route.v3.RouteConfiguration";

    private final ManagedChannel channel;
    private final Node node;
    private final BlockingQueue<DiscoveryResponse> responses = new LinkedBlockingQueue<>();
    private final CompletableFuture<Throwable> ended = new CompletableFuture<>();
    private final StreamObserver<DiscoveryRequest> requests;

    AdsClient(int port, String token, String deployment, String environment) {
        channel = Grpc.newChannelBuilderForAddress("localhost", port, InsecureChannelCredentials.create()).build();
        Metadata headers = new Metadata();
        if (token != null) {
            headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        }
        node = Node.newBuilder().setId("envoy-test-" + System.nanoTime()).setCluster(deployment)
                .setMetadata(Struct.newBuilder().putFields("environment",
                        Value.newBuilder().setStringValue(environment).build()))
                .build();
        requests = AggregatedDiscoveryServiceGrpc.newStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                .streamAggregatedResources(new StreamObserver<>() {
                    @Override
                    public void onNext(DiscoveryResponse response) {
                        responses.add(response);
                    }

                    @Override
                    public void onError(Throwable error) {
                        ended.complete(error);
                    }

                    @Override
                    public void onCompleted() {
                        ended.complete(null);
                    }
                });
    }

    String nodeId() {
        return node.getId();
    }

    /** A first request (or an ACK, with the version and nonce of the response it accepts). */
    void request(String typeUrl, String version, String nonce, String... resourceNames) {
        requests.onNext(DiscoveryRequest.newBuilder().setNode(node).setTypeUrl(typeUrl).setVersionInfo(version)
                .setResponseNonce(nonce).addAllResourceNames(java.util.List.of(resourceNames)).build());
    }

    /** The next response, or null if none came within the time. */
    DiscoveryResponse next(long seconds) throws InterruptedException {
        return responses.poll(seconds, TimeUnit.SECONDS);
    }

    /** How the stream ended (the server's status as an exception), waiting up to the time. */
    Throwable ending(long seconds) throws Exception {
        return ended.get(seconds, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        channel.shutdownNow();
        channel.awaitTermination(5, TimeUnit.SECONDS);
    }
}
