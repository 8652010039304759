package io.qreg.registry.routing;

import io.qreg.registry.support.Fixtures;

import org.springframework.jdbc.core.JdbcTemplate;

/** What another registry instance on the same database does when it publishes a routing revision. */
final class OtherInstance {

    private OtherInstance() {
    }

    /**
     * Inserts revision 2 of the deployment's staging routes with {@code body} and announces it with
     * {@code pg_notify}, in one transaction: this instance's cache knows of it only through the notification.
     */
    static void publishesRevision2(JdbcTemplate jdbc, String deployment, String body) {
        jdbc.execute((java.sql.Connection c) -> {
            c.setAutoCommit(false);
            try (var insert = c.prepareStatement("insert into routing_revision (deployment_id, environment,"
                    + " revision, body, etag, routes_digest, created_at) select id, 'staging', 2, ?, ?, 'other', now()"
                    + " from deployment where name = ?");
                    var notify = c.prepareStatement("select pg_notify('qreg_routing', ?)")) {
                insert.setString(1, body);
                insert.setString(2, "\"sha256:" + Fixtures.sha256(body.getBytes()) + "\"");
                insert.setString(3, deployment);
                insert.executeUpdate();
                notify.setString(1, deployment + "\tstaging\t2");
                notify.execute();
                c.commit();
            } finally {
                c.setAutoCommit(true);
            }
            return null;
        });
    }
}
