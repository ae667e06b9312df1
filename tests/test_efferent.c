/* The uniform efferent map: pools, counting and saturation. */
#include <criterion/criterion.h>

#include "efferent.h"

Test(efferent, pools_count_and_saturate)
{
    bb_efferent e;
    cr_assert_eq(bb_efferent_init(&e, 10, 2, 2.0, 1), 0);
    cr_assert_eq(bb_efferent_muscle_of(&e, 4), 0);
    cr_assert_eq(bb_efferent_muscle_of(&e, 5), 1);
    bb_spike s[4] = {{0, 0}, {4, 1}, {9, 1}, {9, 3}};
    float x[2];
    bb_efferent_apply(&e, s, 1, x);
    cr_assert_float_eq(x[0], 0.5f, 1e-7);
    cr_assert_float_eq(x[1], 0.0f, 1e-7);
    bb_efferent_apply(&e, s, 4, x);
    cr_assert_float_eq(x[0], 1.0f, 1e-7);
    cr_assert_float_eq(x[1], 1.0f, 1e-7);
    bb_efferent_free(&e);
}

Test(efferent, disabled_map_gives_zero)
{
    bb_efferent e;
    cr_assert_eq(bb_efferent_init(&e, 10, 2, 1.0, 0), 0);
    bb_spike s[2] = {{0, 0}, {9, 0}};
    float x[2] = {1, 1};
    bb_efferent_apply(&e, s, 2, x);
    cr_assert_eq(x[0], 0.0f);
    cr_assert_eq(x[1], 0.0f);
    bb_efferent_free(&e);
}
