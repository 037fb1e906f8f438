# Certificates and kubeconfig files of the cluster, made with openssl (sourced by `up`).
# Throwaway: every `up` makes a new CA, valid for 30 days, kept under $STATE_DIR and removed by `down`.

_ca() { # NAME CN
	openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -days 30 \
		-keyout "$PKI_DIR/$1.key" -out "$PKI_DIR/$1.crt" -subj "/CN=$2" \
		-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
}

_cert() { # NAME CA SUBJECT USAGE [SUBJECT_ALT_NAMES]
	local name="$1" ca="$2" subject="$3" usage="$4" sans="${5:-}"
	local ext="$PKI_DIR/$name.ext"
	{
		echo "basicConstraints=critical,CA:FALSE"
		echo "keyUsage=critical,digitalSignature,keyEncipherment"
		echo "extendedKeyUsage=$usage"
		[ -z "$sans" ] || echo "subjectAltName=$sans"
	} >"$ext"
	openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
		-keyout "$PKI_DIR/$name.key" -subj "$subject" 2>/dev/null |
		openssl x509 -req -CA "$PKI_DIR/$ca.crt" -CAkey "$PKI_DIR/$ca.key" -CAcreateserial -days 30 \
			-extfile "$ext" -out "$PKI_DIR/$name.crt" 2>/dev/null
	rm -f "$ext"
}

_kubeconfig() { # FILE SERVER CERT_NAME
	cat >"$1" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: todo-k8s
  cluster:
    server: $2
    certificate-authority: $PKI_DIR/ca.crt
users:
- name: $3
  user:
    client-certificate: $PKI_DIR/$3.crt
    client-key: $PKI_DIR/$3.key
contexts:
- name: todo-k8s
  context: {cluster: todo-k8s, user: $3}
current-context: todo-k8s
EOF
	chmod 600 "$1"
}

make_pki() { # HOST_PORT: the loopback port on the host that reaches the API server
	local host_port="$1" internal="https://$NODE_IP:6443"
	mkdir -p "$PKI_DIR"
	chmod 700 "$PKI_DIR"
	_ca ca todo-k8s-ca
	_ca front-proxy-ca todo-k8s-front-proxy-ca
	_cert apiserver ca "/CN=kube-apiserver" serverAuth \
		"IP:127.0.0.1,IP:$NODE_IP,IP:$KUBERNETES_SERVICE_IP,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.$CLUSTER_DOMAIN"
	_cert apiserver-kubelet-client ca "/CN=kube-apiserver-kubelet-client/O=system:masters" clientAuth
	_cert front-proxy-client front-proxy-ca "/CN=front-proxy-client" clientAuth
	_cert admin ca "/CN=todo-k8s-admin/O=system:masters" clientAuth
	_cert controller-manager ca "/CN=system:kube-controller-manager" clientAuth
	_cert scheduler ca "/CN=system:kube-scheduler" clientAuth
	_cert kubelet ca "/CN=system:node:$NODE_NAME/O=system:nodes" clientAuth
	_cert kubelet-2 ca "/CN=system:node:$NODE2_NAME/O=system:nodes" clientAuth
	_cert kube-proxy ca "/CN=system:kube-proxy" clientAuth
	_cert kube-router ca "/CN=todo-k8s:kube-router" clientAuth
	_cert pv-recycler ca "/CN=todo-k8s:pv-recycler" clientAuth
	openssl genrsa -out "$PKI_DIR/sa.key" 2048 2>/dev/null
	openssl rsa -in "$PKI_DIR/sa.key" -pubout -out "$PKI_DIR/sa.pub" 2>/dev/null
	chmod 600 "$PKI_DIR"/*.key

	local component
	for component in admin controller-manager scheduler kubelet kubelet-2 kube-proxy kube-router pv-recycler; do
		_kubeconfig "$STATE_DIR/$component.kubeconfig" "$internal" "$component"
	done
	# The one the user and the tests get: the API server through the loopback bridge on the host.
	_kubeconfig "$KUBECONFIG_FILE" "https://127.0.0.1:$host_port" admin
}
