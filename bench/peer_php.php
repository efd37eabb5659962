<?php
// The php-fpm column of make bench (bench/run.sh): the three benchmarked endpoints with the
// service's bodies, behind nginx with deploy/nginx.conf. Anything else: 404 {"detail":"Not Found"}.
$path = strtok($_SERVER['REQUEST_URI'], '?');
if ($path === '/') {
	header('Content-Type: application/json');
	echo json_encode(['status' => 'OK']);
} elseif ($path === '/math/add') {
	preg_match_all('/(?:^|&)i=(-?\d+)/', $_SERVER['QUERY_STRING'], $m);
	header('Content-Type: text/plain; charset=utf-8');
	echo array_sum(array_map('intval', $m[1]));
} elseif (preg_match('#^/items/(\d+)$#', $path, $m)) {
	header('Content-Type: application/json');
	echo json_encode(['item_id' => (int)$m[1], 'q' => $_GET['q'] ?? null]);
} else {
	http_response_code(404);
	header('Content-Type: application/json');
	echo json_encode(['detail' => 'Not Found']);
}
