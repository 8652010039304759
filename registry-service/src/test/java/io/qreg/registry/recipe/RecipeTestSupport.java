package io.qreg.registry.recipe;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import io.qreg.registry.support.Bodies;
import io.qreg.registry.support.IntegrationTest;

/** What the recipe ITs share: the check that a refused recipe names its field and leaves nothing stored. */
abstract class RecipeTestSupport extends IntegrationTest {

    /**
     * Posts a recipe of these fields under a new name and asserts the refusal: a 400 problem naming {@code field}
     * whose detail starts with {@code message}, no recipe version of that name, and no audit event.
     */
    protected void assertRefusedStoringNothing(Map<String, Object> fields, String field, String message) {
        String name = unique("refused");
        long events = jdbc.queryForObject("select count(*) from audit_event", Long.class);

        var reply = admin().post("/api/v1/recipes", Bodies.with(fields, "name", name));

        assertThat(reply.status()).as(reply.body()).isEqualTo(400);
        assertThat(reply.isProblem()).isTrue();
        assertThat(reply.json().get("field").asString()).isEqualTo(field);
        assertThat(reply.json().get("detail").asString()).startsWith(message);
        assertThat(jdbc.queryForObject("select count(*) from recipe where name = ?", Integer.class, name)).isZero();
        assertThat(jdbc.queryForObject("select count(*) from audit_event", Long.class)).isEqualTo(events);
    }
}
