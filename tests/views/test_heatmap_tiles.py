"""How wide a heatmap's tiles are: few tiles for a long trace, no re-cutting while typing."""

from lstm_explorer.views.heatmap_items import MAX_TILES, TILE, tile_steps


def test_tiles_widen_so_that_a_map_has_at_most_max_tiles():
    for steps in (1, TILE * MAX_TILES, TILE * MAX_TILES + 1, 100_000, 1_000_000):
        tile = tile_steps(steps)
        assert -(-steps // tile) <= MAX_TILES
        assert tile == TILE or -(-steps // (tile // 2)) > MAX_TILES  # no wider than needed


def test_typing_back_and_forth_across_a_boundary_keeps_the_tiles():
    boundary = TILE * MAX_TILES
    tile = tile_steps(boundary + 1)
    assert tile == 2 * TILE
    for steps in (boundary, boundary + 1, boundary - 50, boundary + 2):
        assert tile_steps(steps, tile) == tile
    assert tile_steps(100, tile) == TILE  # far shorter: narrow again
